"""The wash-sale rule over a household: its 61-day window, the matching, and the basis it moves.

The rule (IRC 1091, Treas. Reg. 1.1091-1 and 1.1091-2, IRS Publication 550 "Wash Sales"): a loss
on a sale of stock or securities is not deductible when, within 30 days before or after the
sale, the taxpayer acquired substantially identical stock or securities. The taxpayer is the
household here: a spouse's purchase washes the loss too (Pub. 550), and so does a purchase in
an IRA or a Roth IRA, in which case the loss is gone for good (Rev. Rul. 2008-5). Otherwise the
disallowed loss goes into the basis of the replacement shares (IRC 1091(d), Reg. 1.1091-2) and
the holding period of the shares sold carries over to them (IRC 1223(3)).

How it is applied here, and why:

* **Window.** Calendar days, both ends in: a purchase 30 days before or after the sale date is
  inside, 31 days is outside, and the sale date itself is inside (the "61-day period" of
  Reg. 1.1091-1(a)).
* **Identity.** Securities are compared by their key in a versioned
  :class:`~microfolio.tax.identical.SecurityIdentity`.
* **Loss sales.** A disposal whose *tax* gain (wash adjustments included) is negative, in a
  taxable account. A loss inside an IRA is no deductible loss (IRC 408(e)(1)), so it is never
  washed. A gain is never washed.
* **Matching.** Each loss share is washed at most once and each replacement share washes at most
  one loss share (Reg. 1.1091-1(e)). Losses are taken in the order sold (Reg. 1.1091-1(b)); the
  losses of one day in one account, whose order within the day is not known, in the order their
  shares were acquired (same paragraph). Replacement shares are taken in the order bought,
  earliest first (Reg. 1.1091-1(c) and (d); Pub. 550: "match the shares bought in the same order
  that you bought them, beginning with the first shares bought"). A purchase is matched when it
  is recorded against the losses already recorded, and a loss when it is recorded against the
  purchases already recorded, so the order of recording is the order of events.
* **The sold shares are not their own replacement.** A loss on shares of a lot is never washed
  by that same lot, sold or kept: the rest of a lot partly sold at a loss, even if it was bought
  inside the window, replaces nothing for that sale (Rev. Rul. 56-602: a bona fide sale that
  reduces a holding bought less than 30 days before is not a wash sale). The rest still counts
  as replacement shares for the losses of *other* lots.
* **Replacement shares must still be held.** Shares that were sold before a loss sale (or in the
  same day's sales of that account) are not its replacement shares: when a sale (gain or loss)
  disposes of shares of a recorded purchase, they leave ``Purchase.unmatched``. The statute
  speaks of "has acquired"; practitioners read a closed position as no replacement, and a
  replacement that is gone has no basis left to take the loss (IRC 1091(d)). The literal
  reading would wash the loss into shares already sold and restate that earlier sale's gain:
  the same total, at another time and perhaps of another term.
* **Amounts.** The disallowed loss of ``m`` of a loss sale's ``n`` shares is ``loss * m / n`` to
  the cent, computed cumulatively (the first ``k`` matched shares disallow
  ``money(loss * k / n)``), so the parts of one loss add up exactly and a fully washed loss
  disallows exactly its loss.
* **Where it goes.** Each wash sale has its own replacement lot, because each carries its own
  holding period: when a wash takes all the still-unmatched shares of a taxable purchase the
  purchase's lot takes it (``replacement_lot_id`` is the lot id), otherwise the matched shares
  are split off into a new lot named ``<lot id>.<wash id>`` (:func:`part_lot_id`), ahead of the
  rest (the first shares bought are matched first). The name ties the part to its purchase
  without more state: the window needs that tie for the Rev. Rul. 56-602 exclusion.
  :func:`apply_to_lots` carries this out on a book's lots. An IRA replacement is never split (its
  basis does not matter); a later sale from such a lot takes its not-yet-matched shares first.

The window is plain data (:class:`~microfolio.tax.wash_records.Purchase`,
:class:`~microfolio.tax.wash_records.LossSale`) so the store can keep it between sessions; every
operation returns a new window. Apply the washes a record call found (:func:`apply_to_lots`)
before the shares they name are sold: the window assumes that the lot named by a purchase holds
exactly its unmatched shares. (The daily cycle records a day's sales, then its purchases, then
applies the day's washes; :func:`apply_to_lots` says what it does if shares went first.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from microfolio.domain.account import Account
from microfolio.domain.disposal import Disposal
from microfolio.domain.ids import IdFactory
from microfolio.domain.lot import Lot
from microfolio.domain.money import ZERO, money
from microfolio.errors import InvariantError
from microfolio.ledger.allocation import allocate
from microfolio.ledger.lot_selection import take_in_order
from microfolio.tax.identical import SecurityIdentity
from microfolio.tax.wash_records import LossSale, Purchase, WashSale

__all__ = [
    "PART_SEPARATOR",
    "WINDOW_DAYS",
    "Adjudication",
    "WashSaleWindow",
    "adjudicate",
    "apply_to_lots",
    "part_lot_id",
    "replay",
]

#: a purchase this many calendar days before or after a loss sale is inside its window
WINDOW_DAYS = 30
_WINDOW = timedelta(days=WINDOW_DAYS)
#: joins a purchase's lot id and a wash id into the id of the lot split off for that wash
PART_SEPARATOR = "."


def part_lot_id(lot_id: str, wash_id: str) -> str:
    """The id of the lot split off ``lot_id`` to carry wash sale ``wash_id``."""
    return f"{lot_id}{PART_SEPARATOR}{wash_id}"


def _of_lot(lot_id: str, purchase_lot_id: str) -> bool:
    """Whether ``lot_id`` is the purchase's lot or a part split off it."""
    return lot_id == purchase_lot_id or lot_id.startswith(purchase_lot_id + PART_SEPARATOR)


def _within(sold: date, acquired: date) -> bool:
    return abs(acquired - sold) <= _WINDOW


def _part_source(wash: WashSale) -> str | None:
    """The lot a wash's part was split off, or None when the wash took its lot whole."""
    suffix = PART_SEPARATOR + wash.wash_id
    if wash.replacement_lot_id.endswith(suffix):
        return wash.replacement_lot_id[: -len(suffix)]
    return None


@dataclass(frozen=True, slots=True)
class WashSaleWindow:
    """A household's recent purchases and loss sales, with their still-unmatched shares."""

    household_id: str
    purchases: tuple[Purchase, ...] = ()
    losses: tuple[LossSale, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "purchases", tuple(self.purchases))
        object.__setattr__(self, "losses", tuple(self.losses))
        if not self.household_id:
            raise InvariantError("wash-sale window: household_id must be non-empty")
        if len({p.lot_id for p in self.purchases}) != len(self.purchases):
            raise InvariantError(f"wash-sale window {self.household_id}: a lot is recorded twice")
        if len({loss.disposal_id for loss in self.losses}) != len(self.losses):
            raise InvariantError(
                f"wash-sale window {self.household_id}: a loss disposal is recorded twice"
            )

    # -- recording --------------------------------------------------------------------------

    def record_purchase(
        self, lot: Lot, account: Account, identity: SecurityIdentity, ids: IdFactory
    ) -> tuple[WashSaleWindow, tuple[WashSale, ...]]:
        """Add a newly bought lot; match it against the recorded losses it washes.

        The losses are taken oldest first (Reg. 1.1091-1(b)) among those of the same key with
        unmatched shares, sold within 30 days of the purchase.
        """
        self._check_account(account, lot.account_id, f"lot {lot.lot_id}")
        if any(p.lot_id == lot.lot_id for p in self.purchases):
            raise InvariantError(f"wash-sale window: lot {lot.lot_id} is already recorded")
        key = identity.key(lot.ticker)
        purchase = Purchase(
            lot_id=lot.lot_id,
            account_id=account.account_id,
            ticker=lot.ticker,
            key=key,
            acquired=lot.acquired,
            quantity=lot.quantity,
            unmatched=lot.quantity,
            tax_advantaged=not account.account_type.is_taxable,
        )
        losses = list(self.losses)
        washes: list[WashSale] = []
        for i in sorted(range(len(losses)), key=lambda i: (losses[i].sold, i)):
            loss = losses[i]
            if purchase.unmatched == 0:
                break
            if loss.key != key or loss.unmatched == 0 or not _within(loss.sold, lot.acquired):
                continue
            wash, losses[i], purchase = _match(self.household_id, loss, purchase, ids)
            washes.append(wash)
        window = dataclasses.replace(
            self, purchases=(*self.purchases, purchase), losses=tuple(losses)
        )
        return window, tuple(washes)

    def record_disposals(
        self,
        disposals: Sequence[Disposal],
        account: Account,
        identity: SecurityIdentity,
        ids: IdFactory,
    ) -> tuple[WashSaleWindow, tuple[WashSale, ...]]:
        """Add one account's sales (a fill's disposals, or a day's); match their losses.

        Day by day: first the shares sold leave the unmatched shares of their purchases (sold
        shares replace nothing), then each loss sale of a taxable account, in the order its
        shares were acquired, is matched against the recorded purchases of its key bought within
        30 days of it, earliest bought first, skipping its own lot (Rev. Rul. 56-602).
        """
        for disposal in disposals:
            self._check_account(account, disposal.account_id, f"disposal {disposal.disposal_id}")
        purchases = list(self.purchases)
        losses = list(self.losses)
        known = {loss.disposal_id for loss in losses}
        washes: list[WashSale] = []
        indexed = list(enumerate(disposals))
        for day in sorted({d.sold for d in disposals}):
            sold_today = [(i, d) for i, d in indexed if d.sold == day]
            for _, disposal in sold_today:
                _release_sold(purchases, disposal)
            if not account.account_type.is_taxable:
                continue  # no deductible loss inside an IRA (IRC 408(e)(1))
            for _, disposal in sorted(sold_today, key=lambda pair: (pair[1].acquired, pair[0])):
                if disposal.tax_gain >= 0:
                    continue
                if disposal.disposal_id in known:
                    raise InvariantError(
                        f"wash-sale window: disposal {disposal.disposal_id} is already recorded"
                    )
                known.add(disposal.disposal_id)
                loss = LossSale(
                    disposal_id=disposal.disposal_id,
                    account_id=account.account_id,
                    lot_id=disposal.lot_id,
                    ticker=disposal.ticker,
                    key=identity.key(disposal.ticker),
                    sold=disposal.sold,
                    holding_start=disposal.holding_start,
                    quantity=disposal.quantity,
                    loss=-disposal.tax_gain,
                    unmatched=disposal.quantity,
                )
                order = sorted(range(len(purchases)), key=lambda j: (purchases[j].acquired, j))
                for j in order:
                    purchase = purchases[j]
                    if loss.unmatched == 0:
                        break
                    if (
                        purchase.key != loss.key
                        or purchase.unmatched == 0
                        or not _within(loss.sold, purchase.acquired)
                        or (
                            purchase.account_id == loss.account_id
                            and _of_lot(loss.lot_id, purchase.lot_id)
                        )
                    ):
                        continue
                    wash, loss, purchases[j] = _match(self.household_id, loss, purchase, ids)
                    washes.append(wash)
                losses.append(loss)
        window = dataclasses.replace(self, purchases=tuple(purchases), losses=tuple(losses))
        return window, tuple(washes)

    # -- upkeep -----------------------------------------------------------------------------

    def pruned(self, as_of: date) -> WashSaleWindow:
        """Without what no event dated ``as_of`` or later can match.

        A purchase can still replace a loss sold on or after ``as_of`` only if it was bought on
        or after ``as_of - 30 days`` and has unmatched shares; a loss can still be washed by a
        purchase on or after ``as_of`` only if it was sold on or after ``as_of - 30 days`` and
        has unmatched shares.
        """
        horizon = as_of - _WINDOW
        return dataclasses.replace(
            self,
            purchases=tuple(p for p in self.purchases if p.unmatched > 0 and p.acquired >= horizon),
            losses=tuple(
                loss for loss in self.losses if loss.unmatched > 0 and loss.sold >= horizon
            ),
        )

    # -- the planner's guard ----------------------------------------------------------------

    def blocking_losses(self, key: str, earliest_trade: date) -> tuple[LossSale, ...]:
        """Loss sales of ``key`` that a purchase dated ``earliest_trade`` or later could wash.

        Those with unmatched shares sold on or after ``earliest_trade - 30 days`` (a same-day
        loss included), oldest first. Conservative when an order is planned after one close and
        fills at a later session: a purchase on a trade date ``t >= earliest_trade`` washes only
        losses sold on or after ``t - 30 >= earliest_trade - 30``, all of which are listed.
        """
        horizon = earliest_trade - _WINDOW
        found = [
            loss
            for loss in self.losses
            if loss.key == key and loss.unmatched > 0 and loss.sold >= horizon
        ]
        return tuple(sorted(found, key=lambda loss: loss.sold))

    def blocking_purchases(
        self, key: str, earliest_trade: date, selling: Mapping[str, Decimal]
    ) -> tuple[Purchase, ...]:
        """Purchases of ``key`` that could wash a loss sale dated ``earliest_trade`` or later.

        ``selling`` is the sale: shares by lot id. Listed, oldest first: the purchases with
        unmatched shares bought on or after ``earliest_trade - 30 days``, except

        * a purchase whose unmatched shares this sale disposes of entirely (sold shares replace
          nothing): in particular a lot sold whole (its original quantity) when nothing of it
          was sold or matched before;
        * a purchase whose own lot (or parts split off it) is all that this sale sells: the rest
          of a lot is not a replacement for shares of that same lot (Rev. Rul. 56-602).

        Conservative for a later fill: a loss sale on ``t >= earliest_trade`` is washed only by
        purchases bought on or after ``t - 30 >= earliest_trade - 30`` (recorded ones are all
        listed; later ones are the guard's ``blocking_losses`` question when they are planned),
        and the sale may realise a loss on any lot in ``selling``. It assumes the sale disposes
        of the shares in ``selling`` (an order that fills only in part may leave replacement
        shares behind).
        """
        horizon = earliest_trade - _WINDOW
        selling_lots = [lot_id for lot_id, shares in selling.items() if shares > 0]
        found: list[Purchase] = []
        for purchase in self.purchases:
            if purchase.key != key or purchase.unmatched == 0 or purchase.acquired < horizon:
                continue
            if selling.get(purchase.lot_id, ZERO) >= purchase.unmatched:
                continue
            if selling_lots and all(_of_lot(lot_id, purchase.lot_id) for lot_id in selling_lots):
                continue
            found.append(purchase)
        return tuple(sorted(found, key=lambda p: p.acquired))

    # -- internals --------------------------------------------------------------------------

    def _check_account(self, account: Account, account_id: str, what: str) -> None:
        if account.household_id != self.household_id:
            raise InvariantError(
                f"wash-sale window {self.household_id}: account {account.account_id} belongs "
                f"to household {account.household_id}"
            )
        if account_id != account.account_id:
            raise InvariantError(f"{what} is in account {account_id}, not {account.account_id}")


def _release_sold(purchases: list[Purchase], disposal: Disposal) -> None:
    """Shares of a purchase's lot that were sold are no longer available as replacements."""
    for j, purchase in enumerate(purchases):
        if purchase.lot_id == disposal.lot_id and purchase.account_id == disposal.account_id:
            left = max(ZERO, purchase.unmatched - disposal.quantity)
            purchases[j] = dataclasses.replace(purchase, unmatched=left)


def _match(
    household_id: str, loss: LossSale, purchase: Purchase, ids: IdFactory
) -> tuple[WashSale, LossSale, Purchase]:
    """Match as many shares as both have; the wash sale and both records after it."""
    shares = min(loss.unmatched, purchase.unmatched)
    before = loss.quantity - loss.unmatched
    disallowed = money(loss.loss * (before + shares) / loss.quantity) - money(
        loss.loss * before / loss.quantity
    )
    wash_id = ids.new("wash")
    permanent = purchase.tax_advantaged
    whole = permanent or shares == purchase.unmatched
    wash = WashSale(
        wash_id=wash_id,
        household_id=household_id,
        loss_disposal_id=loss.disposal_id,
        loss_account_id=loss.account_id,
        ticker_sold=loss.ticker,
        sold=loss.sold,
        replacement_lot_id=purchase.lot_id if whole else part_lot_id(purchase.lot_id, wash_id),
        replacement_account_id=purchase.account_id,
        ticker_bought=purchase.ticker,
        bought=purchase.acquired,
        shares=shares,
        disallowed=disallowed,
        permanent=permanent,
        basis_added=ZERO if permanent else disallowed,
        holding_days=0 if permanent else (loss.sold - loss.holding_start).days,
    )
    return (
        wash,
        dataclasses.replace(loss, unmatched=loss.unmatched - shares),
        dataclasses.replace(purchase, unmatched=purchase.unmatched - shares),
    )


# -- applying wash sales to lots ------------------------------------------------------------


def apply_to_lots(
    lots: Sequence[Lot], washes: Sequence[WashSale], ids: IdFactory
) -> tuple[Lot, ...]:
    """``lots`` with the wash sales that concern them applied: basis added, holding period
    carried over (``holding_start = tax_acquired - holding_days``).

    Only non-permanent washes whose replacement lot is among ``lots`` (same id and account, or
    for a split-off part its source lot) change anything, so one call per account with all of a
    day's washes is fine. A wash named after its lot raises that lot's ``basis_adjustment``; a
    wash named ``<lot id>.<wash id>`` splits its shares off the lot into a new lot of that id,
    placed just before the rest, cost and existing adjustment shared as :meth:`Lot.split`
    shares them (to the cent, conserved). Parts are split off before whole-lot washes are
    applied, so the order of ``washes`` does not matter. Apply each wash once.

    If the lot holds fewer shares than the wash matched (some were sold between the record
    call and this one; the engine's own trades never wash, so it does not meet this), the
    shares still held take the whole adjustment, so no disallowed loss is dropped, and a wash
    whose lot is gone changes nothing; if the lot holds more (lots behind the window), the
    extra shares are split off unadjusted under a new id from ``ids``.
    """
    out = list(lots)
    active = [w for w in washes if not w.permanent]
    parts = [w for w in active if _part_source(w) is not None]
    whole = [w for w in active if _part_source(w) is None]
    for wash in parts:
        i = _index(out, _part_source(wash), wash.replacement_account_id)
        if (
            i is None
            or _index(out, wash.replacement_lot_id, wash.replacement_account_id) is not None
        ):
            continue  # not among these lots, or already applied
        source = out[i]
        if wash.shares < source.quantity:
            part, rest = _taken(source, wash.shares, wash.replacement_lot_id)
            out[i : i + 1] = [_adjusted(part, wash), rest]
        else:
            out[i] = _adjusted(dataclasses.replace(source, lot_id=wash.replacement_lot_id), wash)
    for wash in whole:
        i = _index(out, wash.replacement_lot_id, wash.replacement_account_id)
        if i is None:
            continue
        lot = out[i]
        if wash.shares < lot.quantity:
            extra, matched = _taken(lot, lot.quantity - wash.shares, ids.new("lot"))
            out[i : i + 1] = [_adjusted(matched, wash), extra]
        else:
            out[i] = _adjusted(lot, wash)
    return tuple(out)


def _taken(lot: Lot, shares: Decimal, lot_id: str) -> tuple[Lot, Lot]:
    """``shares`` (fewer than the lot holds) as a new lot ``lot_id``, and the rest of the lot;
    cost and wash adjustment shared as :meth:`Lot.split` shares them (conserved to the cent)."""
    released, rest = lot.split(shares)
    if rest is None:
        raise InvariantError(f"lot {lot.lot_id}: cannot split off all of its {shares} shares")
    taken = dataclasses.replace(
        lot,
        lot_id=lot_id,
        quantity=shares,
        cost=released,
        basis_adjustment=lot.adjustment_released(shares),
    )
    return taken, rest


def _index(lots: Sequence[Lot], lot_id: str | None, account_id: str) -> int | None:
    for i, lot in enumerate(lots):
        if lot.lot_id == lot_id and lot.account_id == account_id:
            return i
    return None


def _adjusted(lot: Lot, wash: WashSale) -> Lot:
    return dataclasses.replace(
        lot,
        basis_adjustment=lot.basis_adjustment + wash.basis_added,
        holding_start=lot.tax_acquired - timedelta(days=wash.holding_days),
    )


# -- replaying a history --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Adjudication:
    """What replaying a household's history found.

    ``disposals`` are the sales as re-priced against the adjusted lots (their ``tax_gain`` and
    ``long_term`` count the wash sales before them); ``window`` is the window at the end.
    """

    washes: tuple[WashSale, ...]
    lots_by_account: Mapping[str, tuple[Lot, ...]]
    disposals: tuple[Disposal, ...]
    window: WashSaleWindow


def replay(
    events: Sequence[Lot | Disposal],
    accounts: Sequence[Account],
    identity: SecurityIdentity,
    ids: IdFactory,
) -> Adjudication:
    """Replay a household's buys (``Lot`` as bought) and sales (``Disposal``) in date order.

    Events must be in chronological order (same-day events in the order they happened);
    consecutive disposals of one fill are one sale. Each buy is tracked as a lot of its
    account, and washes are applied to the tracked lots as soon as they are found, as the
    engine does. Each disposal is re-priced against the tracked lots, so an adjustment made by
    an earlier wash sale is in its tax gain and holding period: a disposal of lot ``L`` takes its
    shares from ``L`` and, when ``L`` holds too few (a history whose books did not split lots),
    from the parts split off ``L``, in the order held. So the history of an engine that applied
    the washes (with an id factory in the same state) replays to the same washes, and so does
    one of books that never did. A disposal of a lot that no event bought (held before the
    history starts) is taken as it is.
    """
    by_id = {account.account_id: account for account in accounts}
    households = {account.household_id for account in accounts}
    if len(households) != 1:
        raise InvariantError(f"replay: accounts must be of one household, got {sorted(households)}")
    window = WashSaleWindow(households.pop())
    held: dict[str, list[Lot]] = {account_id: [] for account_id in by_id}
    washes: list[WashSale] = []
    repriced: list[Disposal] = []
    last: date | None = None
    for group in _grouped(events):
        first = group[0]
        on = first.acquired if isinstance(first, Lot) else first.sold
        if last is not None and on < last:
            raise InvariantError(f"replay: events must be in date order ({on} after {last})")
        last = on
        account = by_id.get(first.account_id)
        if account is None:
            raise InvariantError(f"replay: account {first.account_id} is not in the household")
        window = window.pruned(on)
        if isinstance(first, Lot):
            if any(lot.lot_id == first.lot_id for lots in held.values() for lot in lots):
                raise InvariantError(f"replay: lot {first.lot_id} is bought twice")
            held[account.account_id].append(first)
            window, found = window.record_purchase(first, account, identity, ids)
        else:
            sale = [event for event in group if isinstance(event, Disposal)]
            priced, held[account.account_id] = _reprice(sale, held[account.account_id])
            repriced.extend(priced)
            window, found = window.record_disposals(priced, account, identity, ids)
        for account_id in {w.replacement_account_id for w in found if not w.permanent}:
            held[account_id] = list(apply_to_lots(held[account_id], found, ids))
        washes.extend(found)
    return Adjudication(
        washes=tuple(washes),
        lots_by_account={account_id: tuple(lots) for account_id, lots in held.items()},
        disposals=tuple(repriced),
        window=window,
    )


def adjudicate(
    events: Sequence[Lot | Disposal],
    accounts: Sequence[Account],
    identity: SecurityIdentity,
    ids: IdFactory,
) -> tuple[tuple[WashSale, ...], dict[str, tuple[Lot, ...]]]:
    """The wash sales in a household's history and the lots it ends with (see :func:`replay`)."""
    found = replay(events, accounts, identity, ids)
    return found.washes, dict(found.lots_by_account)


def _grouped(events: Sequence[Lot | Disposal]) -> list[list[Lot | Disposal]]:
    """Each buy alone; consecutive disposals of one fill (same account and date) together."""
    groups: list[list[Lot | Disposal]] = []
    for event in events:
        previous = groups[-1][-1] if groups else None
        if (
            isinstance(event, Disposal)
            and isinstance(previous, Disposal)
            and (previous.fill_id, previous.account_id, previous.sold)
            == (event.fill_id, event.account_id, event.sold)
        ):
            groups[-1].append(event)
        else:
            groups.append([event])
    return groups


def _reprice(sale: Sequence[Disposal], lots: list[Lot]) -> tuple[list[Disposal], list[Lot]]:
    """The sale's disposals taken from the tracked lots (with their wash adjustments)."""
    out: list[Disposal] = []
    held = list(lots)
    for disposal in sale:
        parts = [
            lot
            for lot in held
            if lot.ticker == disposal.ticker and _of_lot(lot.lot_id, disposal.lot_id)
        ]
        parts.sort(key=lambda lot: lot.lot_id != disposal.lot_id)  # the lot named first
        if not parts:
            out.append(disposal)
            continue
        available = sum((lot.quantity for lot in parts), ZERO)
        if disposal.quantity > available:
            raise InvariantError(
                f"replay: disposal {disposal.disposal_id} sells {disposal.quantity} shares of "
                f"lot {disposal.lot_id}, which holds {available}"
            )
        picks = take_in_order(parts, disposal.quantity)
        proceeds = allocate(disposal.proceeds, [take for _, take in picks])
        for k, ((lot, take), part_proceeds) in enumerate(zip(picks, proceeds, strict=True), 1):
            released, rest = lot.split(take)
            out.append(
                dataclasses.replace(
                    disposal,
                    disposal_id=disposal.disposal_id
                    if len(picks) == 1
                    else f"{disposal.disposal_id}{PART_SEPARATOR}{k}",
                    lot_id=lot.lot_id,
                    quantity=take,
                    acquired=lot.acquired,
                    proceeds=part_proceeds,
                    cost=released,
                    basis_adjustment=lot.adjustment_released(take),
                    tax_acquired=lot.holding_start,
                )
            )
            i = held.index(lot)
            if rest is None:
                del held[i]
            else:
                held[i] = rest
    return out, held
