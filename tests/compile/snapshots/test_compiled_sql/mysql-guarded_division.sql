SELECT `t1`.`subject_id` AS `subject_id`, CASE WHEN CASE WHEN (`t1`.`subject_id` = 0) THEN 9223372036854775807 + 529285350190 ELSE 0 END = 0 THEN CAST(`t1`.`weight` AS DOUBLE) / `t1`.`subject_id` END AS `r`
FROM `lab`.`subject` AS t1;
