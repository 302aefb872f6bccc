"""A member's own data through the API (UK GDPR article 15): the same JSON as the download."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.http import AuthenticatedRequest
from governance.selectors import personal_data as selectors


class PersonalDataSerializer(serializers.Serializer[dict[str, object]]):
    sections = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="Each kind of record held (account, visits_received, ...): its rows, all fields.",
    )
    notes = serializers.DictField(
        child=serializers.CharField(), help_text="What a section leaves out, and why (secret ballots)."
    )


class PersonalDataApi(APIView):
    @extend_schema(
        responses=PersonalDataSerializer,
        summary="Everything held about you",
        description=(
            "Every record the co-op holds about you, one list per kind. How you voted on a secret "
            "ballot is not in it: the co-op stores nothing that links a secret vote to its voter."
        ),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(selectors.personal_data_json(user=request.user))
