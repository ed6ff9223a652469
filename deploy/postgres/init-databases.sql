-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d), as the
-- POSTGRES_USER (kakehashi): one database per service, each owned by that user.
CREATE DATABASE candidates;
CREATE DATABASE employers;
CREATE DATABASE identity;
CREATE DATABASE matching;
