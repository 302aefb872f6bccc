from members.models.accounts import (
    MemberClass,
    User,
    UserManager,
)
from members.models.circle import (
    CircleMember,
)
from members.models.emergency import (
    EmergencyContact,
)
from members.models.profiles import (
    Audience,
    Gender,
    Language,
    LivedExperience,
    PostcodeDistrict,
    Profile,
    Skill,
    Vocabulary,
    WeeklyTime,
)
from members.models.register import (
    Application,
    GoverningDocument,
    Membership,
    MembershipQuerySet,
    Policy,
    RegisterCounter,
    ShareTransaction,
)
from members.models.requests import (
    DataRequest,
)
from members.models.vetting import (
    TrainingCourse,
    VettingCheck,
)

__all__ = [
    "Application",
    "Audience",
    "CircleMember",
    "DataRequest",
    "EmergencyContact",
    "Gender",
    "GoverningDocument",
    "Language",
    "LivedExperience",
    "MemberClass",
    "Membership",
    "MembershipQuerySet",
    "Policy",
    "PostcodeDistrict",
    "Profile",
    "RegisterCounter",
    "ShareTransaction",
    "Skill",
    "TrainingCourse",
    "User",
    "UserManager",
    "VettingCheck",
    "Vocabulary",
    "WeeklyTime",
]
