"""The side-by-side comparison of a request's offers: plan differences with the catalogue's plain words,
team and center signals with their sources, and the total cost of care, each part labelled known,
estimated or unknown. Columns keep the order the patient addressed the centers: nothing is ranked.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from gettext import NullTranslations

from onconav.directory.schemas import MedicarePaymentRead, OrganizationRead
from onconav.i18n import N_
from onconav.knowledge import service as knowledge
from onconav.quotes import travel
from onconav.quotes.models import Offer, TreatmentRequest
from onconav.quotes.money import RateTable, convert
from onconav.quotes.offers import is_expired, total_of
from onconav.quotes.schemas import (
    CenterColumn,
    CenterSignal,
    Comparison,
    ConvertedMoney,
    CostPart,
    Money,
    OfferStep,
    PlanRow,
    RequestWishes,
    TeamMember,
)

SIGNAL_WORDS = {  # English msgids, translated when shown
    "trials": N_("Clinical trials"),
    "designation": N_("Designation"),
    "specialists": N_("Specialists at the address"),
    "inpatient": N_("Inpatient stays (Medicare)"),
}


def _converted(part: CostPart, *, target: str, table: RateTable | None) -> CostPart:
    if part.amount is None or part.amount.currency == target or table is None:
        return part
    done = convert(part.amount.amount, source=part.amount.currency, target=target, table=table)
    if done is None:
        return part
    money = ConvertedMoney(
        amount=done.amount, currency=done.currency, rate_date=done.rate_date, rate_source=done.source
    )
    return part.model_copy(update={"converted": money})


def _in_target(part: CostPart, target: str) -> Decimal | None:
    if part.amount is None:
        return None
    if part.amount.currency == target:
        return part.amount.amount
    return part.converted.amount if part.converted else None


def cost_parts(
    offer: Offer, *, wishes: RequestWishes, km: Decimal | None, table: RateTable | None, t: NullTranslations
) -> list[CostPart]:
    """Offer (known), travel and stay (estimated or unknown), first-year follow-up at home (unknown)."""
    persons = 2 if wishes.companion else 1
    parts = [
        CostPart(
            part="offer",
            knowledge="known",
            amount=total_of(offer),
            converted=None,
            basis=t.gettext("Known: the sum of the center's priced items, valid until %(date)s.")
            % {"date": offer.valid_until.isoformat()},
        ),
        travel.travel_part(km, travel.travel_figure(wishes), persons=persons, t=t),
        travel.stay_part(offer.stay_nights, travel.stay_figure(wishes), persons=persons, t=t),
        CostPart(
            part="follow_up",
            knowledge="unknown",
            amount=None,
            converted=None,
            basis=t.gettext(
                "Unknown: the first year's imaging and visits at home are not costed yet; ask your care "
                "team at home what they will need."
            ),
        ),
    ]
    return [_converted(part, target=wishes.currency, table=table) for part in parts]


def _signals(center: OrganizationRead, condition: str | None, t: NullTranslations) -> list[CenterSignal]:
    lineage = set(knowledge.condition_lineage(code=condition)) if condition else set()
    shown = []
    for signal in center.signals:
        kind, _sep, code = (signal.topic or "").partition(":")
        if signal.topic and not (kind == "condition" and code in lineage):
            continue
        words = t.gettext(SIGNAL_WORDS.get(signal.kind, signal.kind))
        text = f"{words}: {signal.topic_name}" if signal.topic_name else words
        shown.append(CenterSignal(kind=signal.kind, text=text, count=signal.count, source=signal.source))
    return shown


def _column(
    request: TreatmentRequest,
    offer: Offer,
    center: OrganizationRead,
    *,
    wishes: RequestWishes,
    table: RateTable | None,
    today: date,
    t: NullTranslations,
    medicare: list[MedicarePaymentRead],
) -> CenterColumn:
    km = travel.distance_km(wishes, center)
    parts = cost_parts(offer, wishes=wishes, km=km, table=table, t=t)
    counted = [p for p in parts if p.knowledge != "unknown"]
    amounts = [_in_target(p, wishes.currency) for p in counted]
    total = (
        Money(amount=sum((a for a in amounts if a is not None), Decimal("0.00")), currency=wishes.currency)
        if all(a is not None for a in amounts)
        else None
    )
    return CenterColumn(
        organization_id=offer.organization_id,
        name=center.name,
        offer_id=offer.id,
        version=offer.version,
        valid_until=offer.valid_until,
        expired=is_expired(offer, today),
        team=[TeamMember.model_validate(member) for member in offer.team],
        stay_nights=offer.stay_nights,
        treatment_weeks=offer.treatment_weeks,
        designations=list(center.designations),
        signals=_signals(center, request.condition, t),
        distance_km=km,
        costs=parts,
        total_known_and_estimated=total,
        unknown_parts=[p.part for p in parts if p.knowledge == "unknown"],
        medicare_reference=medicare,
    )


def plan_rows(offers: list[Offer], t: NullTranslations) -> list[PlanRow]:
    """Each modality and procedure any offer proposes, with which offers do (`differs`: not all)."""
    modalities: dict[str, list[int]] = {}
    procedures: dict[str, list[int]] = {}
    for offer in offers:
        for raw in offer.steps:
            step = OfferStep.model_validate(raw)
            owners = modalities.setdefault(step.modality, [])
            if offer.organization_id not in owners:
                owners.append(offer.organization_id)
            for code in step.procedures:
                owners = procedures.setdefault(code, [])
                if offer.organization_id not in owners:
                    owners.append(offer.organization_id)
    everyone = len(offers)
    rows = [
        PlanRow(
            kind="modality",
            code=code,
            name=t.gettext(knowledge.modality_label(code)),
            plain_words="",
            source=None,
            proposed_by=owners,
            differs=len(owners) != everyone,
        )
        for code, owners in modalities.items()
    ]
    for code, owners in procedures.items():
        entry = knowledge.get_service(code)
        source = knowledge.service_source(code) if entry else None
        rows.append(
            PlanRow(
                kind="procedure",
                code=code,
                name=entry.name if entry else code,
                plain_words=entry.summary if entry else "",
                source=f"{source.title}, {source.url}" if source else None,
                proposed_by=owners,
                differs=len(owners) != everyone,
            )
        )
    return rows


def build_comparison(
    request: TreatmentRequest,
    offers: list[Offer],
    centers: dict[int, OrganizationRead],
    *,
    wishes: RequestWishes,
    table: RateTable | None,
    today: date,
    t: NullTranslations,
    medicare: dict[int, list[MedicarePaymentRead]] | None = None,
) -> Comparison:
    """The request's current offers side by side, in the order the patient addressed the centers (with the
    Medicare reference payments of `medicare`, by organization, where loaded)."""
    order = {r.organization_id: r.position for r in request.recipients}
    ranked_by_patient = sorted(offers, key=lambda o: order.get(o.organization_id, len(order)))
    return Comparison(
        request_id=request.id,
        currency=wishes.currency,
        rates_date=table.rate_date if table else None,
        rates_source=table.source if table else None,
        centers=[
            _column(
                request,
                offer,
                centers[offer.organization_id],
                wishes=wishes,
                table=table,
                today=today,
                t=t,
                medicare=(medicare or {}).get(offer.organization_id, []),
            )
            for offer in ranked_by_patient
        ],
        plan=plan_rows(ranked_by_patient, t),
    )
