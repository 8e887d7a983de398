"""Working-day calendar (节假日调整): China's official holidays and make-up workdays, for deadlines in working days."""
