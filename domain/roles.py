"""Staff roles and who acts (what each role may do is domain.permissions)."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    """A staff member's role; a token carries one or more."""

    SUPPORT = "support"
    APPROVER = "approver"
    FINANCE = "finance"
    ADMIN = "admin"
    SHOP = "shop"


class SystemRole(StrEnum):
    """The role the service itself acts in (its automatic approval, its timers); never a staff token's."""

    SYSTEM = "system"


# Actor ids of customers acting on their own refund: never a staff record's id.
CUSTOMER_ACTOR_PREFIX = "customer:"


class Actor(BaseModel):
    """Who did something: a staff member with roles, or the system itself."""

    model_config = ConfigDict(frozen=True)

    actor_id: str
    name: str
    roles: tuple[Role, ...] = ()
    # The person behind a staff record; absent for the system and in calls recorded before people were kept.
    person_id: str | None = None

    @property
    def person(self) -> str:
        """Who acts, for separation of duties: a person holding several staff records is still one person."""
        return self.person_id or self.actor_id

    @property
    def is_customer(self) -> bool:
        """Whether the customer acts themselves (their refund page), not staff or the system."""
        return self.actor_id.startswith(CUSTOMER_ACTOR_PREFIX)

    def has_any(self, *roles: Role) -> bool:
        """Whether the actor holds at least one of these roles."""
        return any(role in self.roles for role in roles)


SYSTEM_ACTOR = Actor(actor_id=SystemRole.SYSTEM.value, name="refund service")


def customer_actor(customer_id: str) -> Actor:
    """The customer acting through their refund page or the request form; they hold no staff role."""
    return Actor(actor_id=f"{CUSTOMER_ACTOR_PREFIX}{customer_id}"[:64], name=f"the customer ({customer_id})"[:120])
