-- Messages are written all the time, and GIN's "fast update" pending list
-- makes one unlucky insert now and then merge megabytes of it inline: a
-- latency spike of hundreds of milliseconds for every message in that
-- batch. Updating the index as rows arrive costs a little on each insert
-- and never spikes (docs/BENCHMARKS.md: p99 of a sustained fan-out halved).
ALTER INDEX messages_search_idx SET (fastupdate = off);
