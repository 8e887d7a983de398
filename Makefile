# Shortcuts for the commands in the README (the scripts work without make, too).
.PHONY: demo serve test db-stop
demo:
	bash scripts/demo.sh
serve:
	bash scripts/serve.sh
test:
	bash scripts/test.sh
db-stop:
	bash -c '. scripts/setup.sh && GEOGRID_STARTED_DB=1 stop_local_cluster'
