# Shortcuts for the two commands in the README (the scripts work without make, too).
.PHONY: demo test db-stop
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
db-stop:
	bash -c '. scripts/setup.sh && GEOGRID_STARTED_DB=1 stop_local_cluster'
