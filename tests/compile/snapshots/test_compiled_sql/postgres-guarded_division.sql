SELECT "t1"."subject_id" AS "subject_id", CASE WHEN CAST(CASE WHEN ("t1"."subject_id" = 0) THEN 'frames-undefined-529278010190' ELSE '0' END AS INT) = 0 THEN CAST("t1"."weight" AS DOUBLE PRECISION) / "t1"."subject_id" END AS "r"
FROM "lab"."subject" AS t1;
