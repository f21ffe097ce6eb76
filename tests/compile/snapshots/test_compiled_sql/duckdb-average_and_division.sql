SELECT AVG(CAST("t2"."w" AS DOUBLE)) AS "m", COUNT(*) AS "n"
FROM (
  SELECT "t1"."subject_id" AS "subject_id", CASE WHEN CASE WHEN (ISINF(CASE WHEN CASE WHEN (60 = 0) THEN ERROR('frames-undefined-12') ELSE 0 END = 0 THEN CAST("t1"."weight" AS DOUBLE) / 60 END) OR ISNAN(CASE WHEN CASE WHEN (60 = 0) THEN ERROR('frames-undefined-12') ELSE 0 END = 0 THEN CAST("t1"."weight" AS DOUBLE) / 60 END)) THEN ERROR('frames-undefined-13') ELSE 0 END = 0 THEN CASE WHEN CASE WHEN (60 = 0) THEN ERROR('frames-undefined-12') ELSE 0 END = 0 THEN CAST("t1"."weight" AS DOUBLE) / 60 END END AS "w"
  FROM "lab"."subject" AS t1) AS t2;
