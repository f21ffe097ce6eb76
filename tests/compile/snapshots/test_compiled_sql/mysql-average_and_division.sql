SELECT AVG(CAST(`t2`.`w` AS DOUBLE)) AS `m`, COUNT(*) AS `n`
FROM (
  SELECT `t1`.`subject_id` AS `subject_id`, CAST(`t1`.`weight` AS DOUBLE) / 60 AS `w`
  FROM `lab`.`subject` AS t1) AS t2;
