SELECT AVG(CAST(`t2`.`w` AS DOUBLE)) AS `m`, COUNT(*) AS `n`
FROM (
  SELECT `t1`.`subject_id` AS `subject_id`, CASE WHEN CASE WHEN (60 = 0) THEN 9223372036854775807 + 7340012 ELSE 0 END = 0 THEN CAST(`t1`.`weight` AS DOUBLE) / 60 END AS `w`
  FROM `lab`.`subject` AS t1) AS t2;
