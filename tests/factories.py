import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from members.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    """An account whose email is verified, unless `email_verified=False`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def email_verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create:
            verified = True if extracted is None else extracted
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=verified)
