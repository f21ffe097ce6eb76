SELECT AVG(CAST(`t1`.`weight` AS DOUBLE)) AS `m`, COUNT(*) AS `n`
FROM `lab`.`subject` AS t1;
