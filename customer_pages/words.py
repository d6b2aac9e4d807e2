"""The refund page's words in English and French, and the page's facts put in them (amounts, dates, steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.money import major_units
from domain.refunds import RefundStatus
from notifications.wording import format_date, format_window, localise_amount, reason_label
from store.refund_tables import Refund, RefundEvent

STATUS = {
    "en": {
        RefundStatus.RECEIVED: "We have received your request",
        RefundStatus.INVESTIGATING: "We are looking into what happened",
        RefundStatus.AWAITING_APPROVAL: "Waiting for a decision by our team",
        RefundStatus.APPROVED: "Approved: we are sending your refund",
        RefundStatus.REFUNDING: "Sent to the payment provider",
        RefundStatus.SETTLING: "Issued: on its way to your account",
        RefundStatus.SETTLED: "Paid: your refund has arrived",
        RefundStatus.REJECTED: "Not refunded under our policy",
        RefundStatus.RESOLVED: "Closed: the problem was solved without a refund",
        RefundStatus.CANCELLED: "Withdrawn: no refund will be made",
        RefundStatus.EXPIRED: "Closed without a decision",
        RefundStatus.FAILED: "The payment did not go through; our team is arranging another way",
    },
    "fr": {
        RefundStatus.RECEIVED: "Nous avons reçu votre demande",
        RefundStatus.INVESTIGATING: "Nous examinons ce qui s'est passé",
        RefundStatus.AWAITING_APPROVAL: "En attente d'une décision de notre équipe",
        RefundStatus.APPROVED: "Accepté : nous envoyons votre remboursement",
        RefundStatus.REFUNDING: "Transmis au prestataire de paiement",
        RefundStatus.SETTLING: "Émis : en route vers votre compte",
        RefundStatus.SETTLED: "Versé : votre remboursement est arrivé",
        RefundStatus.REJECTED: "Non remboursé selon notre politique",
        RefundStatus.RESOLVED: "Clôturé : le problème a été résolu sans remboursement",
        RefundStatus.CANCELLED: "Retiré : aucun remboursement ne sera effectué",
        RefundStatus.EXPIRED: "Clôturé sans décision",
        RefundStatus.FAILED: "Le paiement n'a pas abouti ; notre équipe organise un autre moyen",
    },
}

# Every fixed sentence of the page; {placeholders} are filled by the template.
TEXT = {
    "en": {
        "title": "Your refund",
        "order": "Order {order_id}",
        "requested": "Requested on {date}",
        "amount": "Amount",
        "reason": "What happened",
        "status": "Where it stands",
        "timeline": "What happened so far",
        "you_confirmed": "You told us the refund reached you",
        "policy": "What our refund policy says",
        "clause_note": "",
        "statement": "When it shows on your statement",
        "window": "Banks take {low} to {high} business days: expect it {window}.",
        "window_unknown": "Banks usually take 3 to 10 business days once the refund is issued.",
        "received_q": "Is the money on your statement already?",
        "received_button": "I have received it",
        "received_done": "Thank you: your refund is marked as received.",
        "contact_title": "Something wrong? Contact us before your bank",
        "contact_text": (
            "Before opening a dispute or chargeback with your bank, please write to us here: in most cases we can "
            "resolve it faster directly with you."
        ),
        "message_label": "Your message",
        "send": "Send the message",
        "message_done": "Thank you: your message has reached our support team. We will answer by email.",
        "reference": "Your reference: {refund_id}",
        "gone_title": "This link does not open a refund",
        "refused_title": "Not done",
        "gone_bad": "The link may have been cut short or mistyped. Open it again from the email we sent you.",
        "gone_expired": (
            "This link has expired. Each email we send carries a new one; or contact us through the Contact / "
            "Support section of our website and quote your reference."
        ),
        "refused": "Your request was not accepted; nothing was changed.",
        "reload": "Reload the page and try again.",
        "too_large": "The form was larger than a message can be; shorten it and send it again.",
    },
    "fr": {
        "title": "Votre remboursement",
        "order": "Commande {order_id}",
        "requested": "Demandé le {date}",
        "amount": "Montant",
        "reason": "Ce qui s'est passé",
        "status": "Où il en est",
        "timeline": "Les étapes jusqu'ici",
        "you_confirmed": "Vous nous avez indiqué que le remboursement vous est parvenu",
        "policy": "Ce que dit notre politique de remboursement",
        "clause_note": "(citée dans la langue d'origine de notre politique)",
        "statement": "Quand il apparaîtra sur votre relevé",
        "window": "Les banques mettent {low} à {high} jours ouvrés : attendez-le {window}.",
        "window_unknown": "Les banques mettent en général 3 à 10 jours ouvrés une fois le remboursement émis.",
        "received_q": "L'argent apparaît-il déjà sur votre relevé ?",
        "received_button": "Je l'ai reçu",
        "received_done": "Merci : votre remboursement est noté comme reçu.",
        "contact_title": "Un problème ? Contactez-nous avant votre banque",
        "contact_text": (
            "Avant d'ouvrir une contestation auprès de votre banque, écrivez-nous ici : dans la plupart des cas, "
            "nous pouvons régler le problème plus vite directement avec vous."
        ),
        "message_label": "Votre message",
        "send": "Envoyer le message",
        "message_done": "Merci : votre message est parvenu à notre service client. Nous vous répondrons par e-mail.",
        "reference": "Votre référence : {refund_id}",
        "gone_title": "Ce lien n'ouvre aucun remboursement",
        "refused_title": "Non effectué",
        "gone_bad": "Le lien a peut-être été coupé ou mal recopié. Ouvrez-le à nouveau depuis l'e-mail reçu.",
        "gone_expired": (
            "Ce lien a expiré. Chaque e-mail que nous envoyons en contient un nouveau ; vous pouvez aussi nous "
            "contacter via la rubrique Contact / Support de notre site en indiquant votre référence."
        ),
        "refused": "Votre demande n'a pas été acceptée ; rien n'a été modifié.",
        "reload": "Rechargez la page et réessayez.",
        "too_large": "Le formulaire dépassait la taille d'un message ; raccourcissez-le et envoyez-le à nouveau.",
    },
}


@dataclass(frozen=True)
class Step:
    """One line of the timeline: when, and what happened in the customer's words."""

    when: str
    what: str


def amount(refund: Refund, language: str) -> str:
    """'119.88 EUR' ('119,88 EUR' in French)."""
    return localise_amount(f"{major_units(refund.amount_minor, refund.currency)} {refund.currency.upper()}", language)


def day(moment: date, language: str) -> str:
    """'7 December 2026' / '7 décembre 2026'."""
    return format_date(moment, language)


def reason(refund: Refund, language: str) -> str:
    """The reason given, in the customer's words (the code itself when we have none)."""
    return reason_label(refund.reason, language) or refund.reason.replace("_", " ")


def steps(events: list[RefundEvent], language: str) -> list[Step]:
    """Each change of status, oldest first, in plain words; internal steps that change nothing are left out."""
    lines: list[Step] = []
    previous = None
    for event in events:
        if event.kind == "settlement_confirmed" and event.actor_id.startswith("customer:"):
            lines.append(Step(day(event.at.date(), language), TEXT[language]["you_confirmed"]))
            previous = event.status
            continue
        if event.status == previous:
            continue
        previous = event.status
        try:
            status = RefundStatus(event.status)
        except ValueError:
            continue
        lines.append(Step(day(event.at.date(), language), STATUS[language][status]))
    return lines


def statement_window(refund: Refund, language: str) -> str:
    """When the money should show on the statement, counted in business days from the refund's own window."""
    if refund.expected_from is None or refund.expected_by is None:
        return TEXT[language]["window_unknown"]
    parameters = refund.policy_parameters or {}
    low = parameters.get("settlement_min_business_days", 3)
    high = parameters.get("settlement_max_business_days", 10)
    window = format_window(refund.expected_from, refund.expected_by, language)
    return TEXT[language]["window"].format(low=low, high=high, window=window)
