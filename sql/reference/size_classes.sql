-- Size classes by number of employees in the year (PRODUCT.md); max_employees null: no upper bound.
create or replace view size_classes as
select * from (
    values
        (1, 'under 50', 0, 49),
        (2, '50–199', 50, 199),
        (3, '200–999', 200, 999),
        (4, '1 000–4 999', 1000, 4999),
        (5, '5 000 och fler', 5000, null)
) as classes (size_class, label_sv, min_employees, max_employees)
