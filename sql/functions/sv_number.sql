-- A number in Swedish form: thousands grouped with a no-break space, decimal comma (1 234,5).
create or replace macro sv_number(x, decimals) as
    translate(format('{:,.' || decimals || 'f}', x::double), ',.', chr(160) || ',')
