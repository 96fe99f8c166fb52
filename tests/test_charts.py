from app_pages import charts


def test_years_on_the_company_role_chart_are_in_order_whatever_the_trace_order():
    fig = charts.roles_by_year([("2023", "accused", 2), ("2024", "accused", 1),
                                ("2022", "party", 1)])
    axis = fig.layout.xaxis
    assert axis.type == "category" and axis.categoryorder == "category ascending"
    assert sorted({x for trace in fig.data for x in trace.x}) == ["2022", "2023", "2024"]
