-- params: [1, 'M']

SELECT `t1`.`subject_id` AS `subject_id`, `t1`.`session_date` AS `session_date`, `t1`.`notes` AS `notes`, `t2`.`weight` AS `weight`
FROM `lab`.`session` AS t1
JOIN `lab`.`subject` AS t2 ON `t1`.`subject_id` = `t2`.`subject_id`
WHERE `t1`.`subject_id` = ? AND `t2`.`sex` = ?;
