-- Every later part of a file read in parts (registered as `part`) is added to incoming.
insert into incoming by name
from part
