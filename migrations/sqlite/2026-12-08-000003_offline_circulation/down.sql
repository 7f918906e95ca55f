DROP TABLE offline_lines;
DROP TABLE offline_uploads;
