"""The request form's words in English and French: the policy's cases in plain words, and why some are not covered."""

from __future__ import annotations

from domain.policy import CLAUSES, RuleCode
from domain.refunds import RefundReason
from notifications.wording import REASON_LABELS

# What the customer picks: the policy's covered cases first, then those it does not cover (explained before sending).
COVERED = (
    RefundReason.NOT_ACTIVATED,
    RefundReason.DUPLICATE_PAYMENT,
    RefundReason.WRONG_PLAN,
    RefundReason.TECHNICAL_ISSUE,
    RefundReason.UNAUTHORIZED_TRANSACTION,
)
# Each case the policy does not cover, with the rule (and so the clause) its refusal quotes.
NOT_COVERED_RULE = {
    RefundReason.CONNECTION_OR_DEVICE: RuleCode.NOT_COVERED_CONNECTION_OR_DEVICE,
    RefundReason.THIRD_PARTY_APP: RuleCode.NOT_COVERED_THIRD_PARTY_APP,
    RefundReason.TEMPORARY_OUTAGE: RuleCode.NOT_COVERED_TEMPORARY_OUTAGE,
    RefundReason.CHANGED_MIND: RuleCode.NOT_COVERED_PERSONAL_PREFERENCE,
    RefundReason.UNUSED_TIME: RuleCode.NO_PARTIAL_REFUND_UNUSED_TIME,
}
NOT_COVERED = tuple(NOT_COVERED_RULE)
CLAUSE_OF = {reason: CLAUSES[rule] for reason, rule in NOT_COVERED_RULE.items()}

HINT = {
    "en": {
        RefundReason.NOT_ACTIVATED: "You paid but never received your activation details.",
        RefundReason.DUPLICATE_PAYMENT: "You were charged twice for the same order.",
        RefundReason.WRONG_PLAN: "You picked the wrong plan and tell us right away.",
        RefundReason.TECHNICAL_ISSUE: "A problem on our side stops you using the service; we first try to fix it.",
        RefundReason.UNAUTHORIZED_TRANSACTION: "Someone paid with your card without your permission; we investigate.",
    },
    "fr": {
        RefundReason.NOT_ACTIVATED: "Vous avez payé sans jamais recevoir vos informations d'activation.",
        RefundReason.DUPLICATE_PAYMENT: "Vous avez été débité deux fois pour la même commande.",
        RefundReason.WRONG_PLAN: "Vous avez choisi la mauvaise formule et nous prévenez tout de suite.",
        RefundReason.TECHNICAL_ISSUE: (
            "Un problème de notre côté vous empêche d'utiliser le service ; nous essayons d'abord de le résoudre."
        ),
        RefundReason.UNAUTHORIZED_TRANSACTION: (
            "Quelqu'un a payé avec votre carte sans votre accord ; nous menons une vérification."
        ),
    },
}

TEXT = {
    "en": {
        "title": "Ask for a refund",
        "intro": "Tell us which order it is and what happened. We answer by email, under our refund policy.",
        "order_id": "Order number",
        "email": "Email address you paid with",
        "what": "What happened?",
        "covered": "Cases our policy covers",
        "not_covered": "Cases our policy does not cover",
        "not_covered_why": (
            "Our refund policy does not cover this case, so this request will most likely be declined. The policy says:"
        ),
        "rights": (
            "Nothing in our policy limits the rights you may have under the consumer protection law of your country "
            "or region; you may still send the request."
        ),
        "clause_note": "",
        "description": "Describe what happened",
        "send": "Send my request",
        "sent_title": "Thank you, we have your request",
        "sent": (
            "If the order number and the email address match one of our orders, we will send you a confirmation by "
            "email shortly, with a link to follow your refund. If you get no email within an hour, check the order "
            "number and the address you paid with."
        ),
        "again": "Send another request",
        "limited": "Too many requests were sent; please try again later.",
        "reload": "Reload the page and try again.",
    },
    "fr": {
        "title": "Demander un remboursement",
        "intro": (
            "Indiquez-nous la commande et ce qui s'est passé. Nous répondons par e-mail, selon notre politique de "
            "remboursement."
        ),
        "order_id": "Numéro de commande",
        "email": "Adresse e-mail utilisée pour payer",
        "what": "Que s'est-il passé ?",
        "covered": "Cas couverts par notre politique",
        "not_covered": "Cas non couverts par notre politique",
        "not_covered_why": (
            "Notre politique de remboursement ne couvre pas ce cas : cette demande sera très probablement refusée. "
            "La politique dit :"
        ),
        "rights": (
            "Rien dans notre politique ne limite les droits que vous tenez du droit de la consommation de votre pays "
            "ou de votre région ; vous pouvez tout de même envoyer la demande."
        ),
        "clause_note": "(citée dans la langue d'origine de notre politique)",
        "description": "Décrivez ce qui s'est passé",
        "send": "Envoyer ma demande",
        "sent_title": "Merci, nous avons reçu votre demande",
        "sent": (
            "Si le numéro de commande et l'adresse e-mail correspondent à l'une de nos commandes, nous vous enverrons "
            "sous peu une confirmation par e-mail, avec un lien pour suivre votre remboursement. Sans e-mail d'ici une "
            "heure, vérifiez le numéro de commande et l'adresse utilisée pour payer."
        ),
        "again": "Envoyer une autre demande",
        "limited": "Trop de demandes ont été envoyées ; veuillez réessayer plus tard.",
        "reload": "Rechargez la page et réessayez.",
    },
}


def label(reason: RefundReason, language: str) -> str:
    """The case in the customer's words, capitalised."""
    words = REASON_LABELS[language].get(reason.value, reason.value.replace("_", " "))
    return words[0].upper() + words[1:]
