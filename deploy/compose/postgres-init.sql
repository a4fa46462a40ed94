-- The four services' databases, one owner each (deploy/compose.yaml).
CREATE ROLE registry LOGIN;
CREATE ROLE trigger LOGIN;
CREATE ROLE enforcement LOGIN;
CREATE ROLE appeals LOGIN;
CREATE DATABASE jrp_registry OWNER registry;
CREATE DATABASE jrp_trigger OWNER trigger;
CREATE DATABASE jrp_enforcement OWNER enforcement;
CREATE DATABASE jrp_appeals OWNER appeals;
