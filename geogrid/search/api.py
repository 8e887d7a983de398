"""GET /api/v1/search?q=...: grids, buildings or a coordinate pair for the map's search box."""
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.search.selectors import search


class SearchView(APIView):
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request) -> Response:
        hits = search(request.user, request.query_params.get("q", "")[:100])
        return Response({"results": [hit.as_dict() for hit in hits]})
