"""The words of each customer email, per language: a subject and a plain-text body with {placeholders}."""

from __future__ import annotations

from domain.refund_messages import Notification

CONTACT = {
    "en": "please contact us through the Contact / Support section of our website and quote your reference",
    "fr": "contactez-nous via la rubrique Contact / Support de notre site en indiquant votre référence",
}
SIGNATURE = {"en": "Kind regards,\nCustomer support", "fr": "Cordialement,\nLe service client"}
GREETING = {"en": "Hello,", "fr": "Bonjour,"}
REFERENCE = {"en": "Your reference: {refund_id}", "fr": "Votre référence : {refund_id}"}
REASON = {"en": ", reason given: {label}", "fr": ", motif indiqué : {label}"}
POLICY_VERSION = {"en": " (version of {date})", "fr": " (version du {date})"}
# The policy exists in English only, so a French email quotes the clause in English and says so.
CLAUSE = {
    "en": 'The clause that applies:\n"{clause}"',
    "fr": "La clause qui s'applique (citée dans la langue d'origine de notre politique) :\n« {clause} »",
}
CONSUMER_RIGHTS = {
    "en": (
        "Nothing in our policy limits or excludes the rights you may have under the consumer protection law "
        "of your country or region."
    ),
    "fr": (
        "Rien dans notre politique ne limite ni n'exclut les droits dont vous disposez en vertu du droit "
        "de la consommation de votre pays ou de votre région."
    ),
}
DEFAULT_WINDOW = {"en": "within 3 to 10 business days", "fr": "sous 3 à 10 jours ouvrés"}
LATE = {
    "en": "If it has still not arrived after {date}, {contact}.",
    "fr": "S'il n'est toujours pas arrivé après le {date}, {contact}.",
}
LATE_DEFAULT = {
    "en": "If it has still not arrived after 10 business days, {contact}.",
    "fr": "S'il n'est toujours pas arrivé après 10 jours ouvrés, {contact}.",
}

PAGE_LINK = {
    "en": (
        "Where your refund stands, what our policy says about it, and a way to write to us, on your refund's page:"
        "\n{url}"
    ),
    "fr": (
        "Où en est votre remboursement, ce que dit notre politique et un moyen de nous écrire, sur la page de votre "
        "remboursement :\n{url}"
    ),
}

SUBJECTS = {
    "en": {
        Notification.RECEIVED: "We have received your refund request (order {order_id})",
        Notification.APPROVED: "Your refund of {amount} has been approved",
        Notification.REJECTED: "Your refund request for order {order_id}",
        Notification.ISSUED: "Your refund of {amount} is on its way",
        Notification.FAILED: "We could not complete your refund (order {order_id})",
        Notification.EXPIRED: "Your refund request for order {order_id} has been closed",
        Notification.CANCELLED: "Your refund request for order {order_id} has been withdrawn",
        Notification.PAID_BY_HAND: "Your refund of {amount} has been paid (order {order_id})",
    },
    "fr": {
        Notification.RECEIVED: "Nous avons bien reçu votre demande de remboursement (commande {order_id})",
        Notification.APPROVED: "Votre remboursement de {amount} est accepté",
        Notification.REJECTED: "Votre demande de remboursement pour la commande {order_id}",
        Notification.ISSUED: "Votre remboursement de {amount} est en route",
        Notification.FAILED: "Nous n'avons pas pu finaliser votre remboursement (commande {order_id})",
        Notification.EXPIRED: "Votre demande de remboursement pour la commande {order_id} a été clôturée",
        Notification.CANCELLED: "Votre demande de remboursement pour la commande {order_id} a été retirée",
        Notification.PAID_BY_HAND: "Votre remboursement de {amount} a été versé (commande {order_id})",
    },
}

BODIES = {
    "en": {
        Notification.RECEIVED: (
            "We have received your refund request for order {order_id} ({amount}){reason}.\n"
            "We will review it under our refund policy and email you as soon as a decision is made."
        ),
        Notification.APPROVED: (
            "Good news: your refund of {amount} for order {order_id} has been approved.\n"
            "We are sending it to the payment method you used for the purchase and will email you again "
            "once it has been issued."
        ),
        Notification.REJECTED: (
            "We have reviewed your refund request for order {order_id} ({amount}). We are sorry, but we "
            "cannot refund it under our refund policy{policy_version}.\n\n"
            "{clause}\n\n"
            "{consumer_rights}\n"
            "If you think we have missed something, {contact}."
        ),
        Notification.ISSUED: (
            "We have issued your refund of {amount} for order {order_id} to the payment method you used for "
            "the purchase.\n"
            "Depending on your bank or payment provider, it should appear in your account {window}.\n"
            "{late}"
        ),
        Notification.FAILED: (
            "We tried to send your refund of {amount} for order {order_id} to the payment method you used, "
            "but it did not go through: {failure}.\n"
            "Your refund is not cancelled. Our team will try again or arrange another way to pay you, and "
            "will contact you if we need anything from you."
        ),
        Notification.EXPIRED: (
            "We are sorry: your refund request for order {order_id} ({amount}) could not be reviewed in time "
            "and has been closed without a decision.\n"
            "If you still want a refund, {contact}; we will look at it again."
        ),
        Notification.CANCELLED: (
            "Your refund request for order {order_id} ({amount}) has been withdrawn, so no refund will be "
            "made for it.\n"
            "If you did not expect this, {contact}."
        ),
        Notification.PAID_BY_HAND: (
            "Your refund of {amount} for order {order_id} could not be sent back to the payment method you used, "
            "so we have paid it to you another way.\n"
            "It should reach you within a few business days. If it has not arrived after 10 business days, {contact}."
        ),
    },
    "fr": {
        Notification.RECEIVED: (
            "Nous avons bien reçu votre demande de remboursement pour la commande {order_id} ({amount}){reason}.\n"
            "Nous allons l'examiner selon notre politique de remboursement et vous écrirons dès qu'une "
            "décision sera prise."
        ),
        Notification.APPROVED: (
            "Bonne nouvelle : votre remboursement de {amount} pour la commande {order_id} est accepté.\n"
            "Nous l'envoyons sur le moyen de paiement utilisé lors de l'achat et vous écrirons de nouveau "
            "dès qu'il aura été émis."
        ),
        Notification.REJECTED: (
            "Nous avons examiné votre demande de remboursement pour la commande {order_id} ({amount}). "
            "Nous sommes désolés, mais nous ne pouvons pas la rembourser au titre de notre politique de "
            "remboursement{policy_version}.\n\n"
            "{clause}\n\n"
            "{consumer_rights}\n"
            "Si vous pensez que nous avons oublié quelque chose, {contact}."
        ),
        Notification.ISSUED: (
            "Nous avons émis votre remboursement de {amount} pour la commande {order_id} sur le moyen de "
            "paiement utilisé lors de l'achat.\n"
            "Selon votre banque ou votre prestataire de paiement, il devrait apparaître sur votre compte "
            "{window}.\n"
            "{late}"
        ),
        Notification.FAILED: (
            "Nous avons tenté d'envoyer votre remboursement de {amount} pour la commande {order_id} sur le "
            "moyen de paiement utilisé, mais il n'a pas abouti : {failure}.\n"
            "Votre remboursement n'est pas annulé. Notre équipe va réessayer ou organiser un autre moyen de "
            "vous rembourser, et vous contactera si elle a besoin de quoi que ce soit."
        ),
        Notification.EXPIRED: (
            "Nous sommes désolés : votre demande de remboursement pour la commande {order_id} ({amount}) "
            "n'a pas pu être examinée à temps et a été clôturée sans décision.\n"
            "Si vous souhaitez toujours être remboursé, {contact} ; nous l'examinerons à nouveau."
        ),
        Notification.CANCELLED: (
            "Votre demande de remboursement pour la commande {order_id} ({amount}) a été retirée : aucun "
            "remboursement ne sera effectué pour celle-ci.\n"
            "Si vous ne vous y attendiez pas, {contact}."
        ),
        Notification.PAID_BY_HAND: (
            "Votre remboursement de {amount} pour la commande {order_id} n'a pas pu être renvoyé sur le moyen de "
            "paiement utilisé : nous vous l'avons donc versé par un autre moyen.\n"
            "Il devrait vous parvenir sous quelques jours ouvrés. S'il n'est pas arrivé après 10 jours ouvrés, "
            "{contact}."
        ),
    },
}
