-- Which agency reported funds and applications for which year, with corrections marked.
select * from reporting_coverage
order by name collate sv, year
