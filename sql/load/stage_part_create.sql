-- The first part of a file read in parts (registered as `part`) starts the temp table incoming.
create temp table incoming as
from part
