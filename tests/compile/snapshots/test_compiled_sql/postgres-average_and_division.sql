SELECT AVG(CAST("t2"."w" AS DOUBLE PRECISION)) AS "m", COUNT(*) AS "n"
FROM (
  SELECT "t1"."subject_id" AS "subject_id", CAST("t1"."weight" AS DOUBLE PRECISION) / 60 AS "w"
  FROM "lab"."subject" AS t1) AS t2;
