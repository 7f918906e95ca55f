DROP TABLE event_attendance;
