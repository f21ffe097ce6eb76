SELECT AVG(CAST("t1"."weight" AS DOUBLE PRECISION)) AS "m", COUNT(*) AS "n"
FROM "lab"."subject" AS t1;
