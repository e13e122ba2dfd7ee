-- An agency's place among its peers by their quartiles and the measure's direction: best, middle or
-- worst (a neutral measure: high, middle or low). Best is strictly better than the better quartile,
-- worst strictly worse than the worse one, the rest middle: a value equal to a quartile is middle.
create or replace macro quartile_class(value, lower_quartile, upper_quartile, direction) as
    case
        when direction = 'higher_better' then
            case when value > upper_quartile then 'best' when value < lower_quartile then 'worst' else 'middle' end
        when direction = 'lower_better' then
            case when value < lower_quartile then 'best' when value > upper_quartile then 'worst' else 'middle' end
        else
            case when value > upper_quartile then 'high' when value < lower_quartile then 'low' else 'middle' end
    end
