-- The staged rows of a file read in parts, dropped after it is written or rejected (the rows of a
-- file read whole are a registered frame, unregistered before this).
drop table if exists incoming_agencies;
drop table if exists incoming_funds;
drop table if exists incoming_applications;
