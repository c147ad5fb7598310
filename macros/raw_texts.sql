{% macro customer_raw_texts() -%}
    {#- The customer file's columns as text, trimmed (raw_text), under the
        names staging gives them. One list for staging and for
        rejected_customers, which finds a rejected row's line by this text:
        both must read it the same way. -#}
    {{ raw_text('customer_id') }} as raw_customer_id,
    {{ raw_text('gender') }} as raw_gender,
    {{ raw_text('age') }} as raw_age,
    {{ raw_text('annual_income_k') }} as raw_annual_income,
    {{ raw_text('spending_score') }} as raw_spending_score
{%- endmacro %}

{% macro transaction_raw_texts() -%}
    {#- The transactions file's columns as text, trimmed, for staging and
        rejected_transactions (see customer_raw_texts). -#}
    {{ raw_text('customer_id') }} as raw_customer_id,
    {{ raw_text('purchase_date') }} as raw_purchase_date,
    {{ raw_text('amount') }} as raw_amount,
    {{ raw_text('order_id') }} as raw_order_id,
    {{ raw_text('quantity') }} as raw_quantity,
    {{ raw_text('unit_price') }} as raw_unit_price
{%- endmacro %}
