SELECT AVG(CAST("t2"."w" AS DOUBLE PRECISION)) AS "m", COUNT(*) AS "n"
FROM (
  SELECT "t1"."subject_id" AS "subject_id", CASE WHEN CAST(CASE WHEN (60 = 0) THEN 'frames-undefined-12' ELSE '0' END AS INT) = 0 THEN CAST("t1"."weight" AS DOUBLE PRECISION) / 60 END AS "w"
  FROM "lab"."subject" AS t1) AS t2;
