-- A part of an applications file read in parts (registered as `part`), added to the temp table
-- incoming_applications, which the first part creates. Only applications CSVs are read in parts.
create temp table if not exists incoming_applications as from part limit 0;
insert into incoming_applications by name from part;
