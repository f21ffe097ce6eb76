SELECT DISTINCT `t1`.`sex` AS `sex`
FROM `lab`.`subject` AS t1;
