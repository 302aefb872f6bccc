from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from members.permissions import is_staff


class IsStaff(permissions.BasePermission):
    message = "Only the co-op's staff may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_staff(request.user)
