-- The Prefect server keeps its own database beside tdkt's, on the same PostgreSQL.
CREATE DATABASE prefect OWNER tdkt;
