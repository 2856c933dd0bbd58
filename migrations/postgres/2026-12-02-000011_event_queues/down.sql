DROP TABLE queued_events;
DROP TABLE event_queues;
