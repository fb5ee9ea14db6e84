"""The chart views: /views/timeline, /views/lists, /views/network. Each page is a frame (title,
filters, chart, download links); its data is the stored query named below, fetched by the browser
from /queries/NAME?format=json, so the chart, the CSV and the JSON always show the same rows.
Charts are drawn by Apache ECharts, vendored in static/echarts (nothing is fetched from elsewhere)."""
from __future__ import annotations

from flask import abort, request

from ..frame import page
from ..iris import id_base
from ..service import service
from .queries_html import choices
from .views import bp

VIEWS = {
    "timeline": {
        "query": "timeline", "title": "Timeline",
        "lede": "Mechanisms by founding date and kind, one mark per mechanism where the sources' dates nest "
                "(2022, 2022-06 and 2022-06-14 are one founding, dated 2022-06-14), a diamond where they do not "
                "(the IEA: 1973 or 1974), a triangle where a source says a successor took over. Below, the claims "
                "naming members of each mechanism, binned by the year they speak for: the number on a mark is how "
                "many claims.",
        "filters": ["kind", "source"],
    },
    "lists": {
        "query": "list-evolution", "title": "Critical-mineral lists over time",
        "lede": "Each list series over its versions: the size the source declares (or, where it gives none, "
                "the minerals it names, groups expanded), and the minerals each version added and removed: "
                "hatched where a source states the totals (naming only some), solid where both versions are "
                "known in full and the change is computed.",
        "filters": ["list"],
    },
    "network": {
        "query": "membership-network", "title": "Partner network",
        "lede": "The mechanisms one actor belongs to, according to some source, and their other members "
                "(pick the actor, or everyone). Filter by the mechanism's kind and by source; click a node for its page.",
        "filters": ["kind", "source"],
    },
}


@bp.get("/views")
@bp.get("/views/")
def views_index():
    return page("views.html", views=VIEWS, view=None)


@bp.get("/views/<name>")
def view(name: str):
    spec = VIEWS.get(name)
    if spec is None:
        abort(404)
    svc = service()
    query = svc.stored_queries()[spec["query"]]
    resolver = svc.resolver()
    fields = []
    for p in query.params:
        if p.name in spec["filters"]:
            value = request.args.get(p.name, "")
            fields.append({"name": p.name, "description": p.description, "value": value,
                           "choices": choices(p, resolver)})
    given = {f["name"]: f["value"] for f in fields if f["value"]}
    return page("views.html", views=VIEWS, view=dict(spec, name=name), fields=fields, given=given,
                id_base=id_base())
