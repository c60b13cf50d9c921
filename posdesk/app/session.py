"""The session controller: connects a profile, hands the window a SessionContext, signs in
again when the sign-in expires, switches profiles without a restart, and closes cleanly.

It lives in the composition root because it constructs ``PosClient`` (httpx/authlib), which
the UI layer must not import.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.errors import FeatureUnavailable, NotAuthenticated, PosError, SignInRefused
from posdesk.api.profile import ConnectionProfile
from posdesk.app.demo import Demo, MemoryCredentials
from posdesk.domain import Environment, Viewer
from posdesk.mirror import forget_file
from posdesk.mirror.mirror import MIRROR_FILE
from posdesk.models import heap
from posdesk.models.local_data import LocalData
from posdesk.models.tasks import TaskOwner
from posdesk.store.journal import FOR_REVIEW, UNRESOLVED, WATCHED, Journal
from posdesk.store.scope import (
    LocalScope,
    ScopedData,
    adopt_legacy,
    data_root,
    demo_scope,
    open_scope,
    remove_demo,
    scope_folder,
)
from posdesk.ui.localdata.scope import load_scope
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.main_window import MainWindow
from posdesk.ui.shell.profiles import ProfileStore
from posdesk.ui.shell.profiles_dialog import ConnectionReport, ProfilesDialog

_log = logging.getLogger(__name__)

BrowserOpener = Callable[[str], object]
T = TypeVar("T")
R = TypeVar("R")


def _cancelling() -> bool:
    """True when the task running this code was itself cancelled (shutdown): propagate."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _who_and_where(
    client: PosClient, profile: ConnectionProfile
) -> tuple[Environment, Viewer]:
    """Environment and viewer; a server lacking either still works (shown as unknown)."""

    async def environment() -> Environment:
        try:
            return await client.environment()
        except FeatureUnavailable:
            return Environment()

    async def viewer() -> Viewer:
        try:
            return await client.viewer()
        except FeatureUnavailable:
            return Viewer(client_id=profile.client_id)

    env, who = await asyncio.gather(environment(), viewer())
    return env, who


async def local_scope(
    client: PosClient, profile: ConnectionProfile, environment: Environment, viewer: Viewer
) -> LocalScope:
    """The server (issuer from discovery) and principal this session's local state belongs
    to: the client id for client credentials; for an interactive sign-in the user (from
    ``viewer``, else the access token's ``sub``, else the client id and profile)."""
    if profile.auth_flow == "client_credentials":
        principal, who = f"client:{profile.client_id}", profile.client_id
    elif viewer.subject:
        principal, who = f"user:{viewer.subject}", viewer.name or viewer.subject
    else:
        try:
            subject = await client.token_subject()
        except PosError:
            subject = None
        if subject:
            principal, who = f"user:{subject}", subject
        else:
            principal, who = f"profile:{profile.client_id}/{profile.name}", profile.name
    return LocalScope(client.issuer, principal, environment.name or "", who)


class SignInCancelledError(Exception):
    """The user pressed Cancel while posdesk waited for the browser sign-in."""


class SessionController:
    """Owns the PosClient of the active profile (at most one at a time)."""

    def __init__(
        self,
        window: MainWindow,
        store: ProfileStore,
        *,
        reporter: ErrorReporter,
        demo: Demo | None = None,
        open_browser: BrowserOpener | None = None,
        data_dir: Path | None = None,
        sign_in_timeout: float = 300.0,
    ) -> None:
        self.window = window
        self.store = store
        self.reporter = reporter
        self.demo = demo
        self.open_browser = open_browser
        self.data_dir = data_dir if data_dir is not None else data_root()
        self.journals: dict[str, Journal] = {}  # open journals by scope key ("demo": memory)
        self.demo_data: ScopedData | None = None
        self.local_data: LocalData | None = None
        self.sign_in_timeout = sign_in_timeout
        self.client: PosClient | None = None
        self.profile: ConnectionProfile | None = None
        self.attempted: ConnectionProfile | None = None
        self._signing_in: asyncio.Task[object] | None = None
        self.tasks = TaskOwner(window)
        self.dialog: ProfilesDialog | None = None
        self._closed = False
        reporter.listeners.append(self.observe)
        window.profilesRequested.connect(self.show_profiles)
        window.profileSwitchRequested.connect(lambda name: self.spawn(self.open_profile(name)))
        window.signInRequested.connect(lambda: self.spawn(self.sign_in_again()))
        window.signInCancelRequested.connect(self.cancel_sign_in)
        window.signOutRequested.connect(lambda: self.spawn(self.sign_out()))
        self.refresh_profiles_menu()

    # ---------------------------------------------------------------- helpers

    def cancel_sign_in(self) -> None:
        """The user gave up on the browser sign-in: stop waiting for it (silently)."""
        task, self._signing_in = self._signing_in, None
        if task is not None and not task.done():
            task.cancel()

    def spawn(self, coro: Coroutine[Any, Any, R]) -> asyncio.Task[R]:
        """Run a session step as a task owned by the window (cancelled when it closes)."""
        return self.tasks.spawn(coro, name="session")

    def credentials_for(self, profile: ConnectionProfile) -> Credentials:
        if self.demo is not None and profile.name == self.demo.profile.name:
            return self.demo.credentials
        return self.store.credentials

    def profile_names(self) -> list[str]:
        names = self.store.names()
        if self.demo is not None:
            names.insert(0, self.demo.profile.name)
        return names

    def find_profile(self, name: str) -> ConnectionProfile | None:
        if self.demo is not None and name == self.demo.profile.name:
            return self.demo.profile
        return self.store.get(name)

    def refresh_profiles_menu(self) -> None:
        current = self.profile.name if self.profile else None
        self.window.set_profiles(self.profile_names(), current)

    def observe(self, exc: BaseException) -> None:
        """Any error the UI saw: an expired sign-in turns into the "Sign in again" prompt; a
        refused client (wrong secret, client revoked) into "Connection problem" with its own
        sentence — signing in again cannot fix those, the connection profile must change."""
        if self.client is None:
            return
        if self.local_data is not None:
            self.local_data.observe(exc)  # the server is unreachable: offline at the counter
        if isinstance(exc, NotAuthenticated):
            self.window.set_connection_state("expired", exc.user_message)
        elif isinstance(exc, SignInRefused):
            self.window.set_connection_state("error", exc.user_message)

    # ---------------------------------------------------------------- actions

    async def start(self, profile_name: str | None = None) -> None:
        """First connection at startup: demo, the named profile, the last one, or ask."""
        if self.demo is not None:
            await self.connect(self.demo.profile)
            return
        name = profile_name or self.store.last_used
        profile = self.find_profile(name) if name else None
        if profile is None:
            if profile_name:
                self.window.show_status(f"There is no connection profile named {profile_name!r}.")
            self.show_profiles()
            return
        await self.connect(profile)

    async def open_profile(self, name: str) -> None:
        profile = self.find_profile(name)
        if profile is None:
            self.window.show_status(f"There is no connection profile named {name!r}.")
            return
        await self.connect(profile)

    async def connect(self, profile: ConnectionProfile) -> bool:
        """Connect and show ``profile``; the old session stays until the new one works."""
        window = self.window
        window.set_connection_state("connecting")
        window.show_status(f"Connecting to {profile.name}…", 0)
        try:
            client = await self._cancellable(
                PosClient.connect(
                    profile,
                    credentials=self.credentials_for(profile),
                    open_browser=self._browser(),
                    sign_in_timeout=self.sign_in_timeout,
                )
            )
        except SignInCancelledError:
            self.attempted = profile
            if self.client is not None:
                window.set_connection_state("connected")
            else:
                window.set_connection_state("expired", "Sign-in cancelled. Sign in to continue.")
            return False
        except PosError as exc:
            _log.warning("Connecting to %s failed: %s", profile.name, exc.details or exc)
            if self.client is not None:
                # Still on the previous session: say so, keep working there.
                window.set_connection_state("connected")
                window.show_status(f"Could not switch to {profile.name}: {exc.user_message}", 0)
            else:
                self.attempted = profile
                state = "expired" if isinstance(exc, NotAuthenticated) else "error"
                window.set_connection_state(state, f"{profile.name}: {exc.user_message}")
            return False
        demo = self.demo is not None and profile.name == self.demo.profile.name
        try:
            environment, viewer = await _who_and_where(client, profile)
            scope = await local_scope(client, profile, environment, viewer)
            local = await self._open_local(scope, profile, demo=demo)
        except BaseException:
            await client.aclose()
            raise
        client.attach_journal(self.journals["demo" if demo else scope.key])
        try:
            local_data = await LocalData.open(client, local)
        except (OSError, sqlite3.Error) as exc:  # the app works without it, from the server
            _log.warning("The local mirror could not be opened: %s", exc)
            local_data = None
        old, old_local_data = self.client, self.local_data
        self.local_data = local_data
        self.client, self.profile = client, profile
        if self.demo is None or profile.name != self.demo.profile.name:
            self.store.last_used = profile.name
        context = SessionContext(
            client=client,
            viewer=viewer,
            environment=environment,
            profile_name=profile.name,
            tasks=TaskOwner(),
            reporter=self.reporter,
            status=window.show_status,
            local=local,
            local_data=local_data,
        )
        if not demo:
            self.store.record_scope(profile.name, scope.key)  # Forget / removal find it
        if local_data is not None:
            local_data.sync.settings = load_scope(context.settings())  # the saved scope
        window.set_session(context, demo=demo)
        if local_data is not None:
            local_data.start()
        if old is not None:
            heap.release()  # the previous session's rows and widgets are gone
        window.show_status(f"Connected to {profile.name}.")
        self.refresh_profiles_menu()
        if old_local_data is not None:
            await old_local_data.aclose()
        if old is not None:
            await old.aclose()
        self.spawn(self._reconcile(client))
        return True

    async def _reconcile(self, client: PosClient) -> None:
        """Settle money-moving operations an earlier run left unconfirmed."""
        try:
            entries = await client.reconcile_pending()
        except PosError as exc:
            _log.warning("Reconciling the journal failed: %s", exc.details or exc)
            return
        review = sum(e.state in FOR_REVIEW for e in entries)
        checking = sum(e.state in UNRESOLVED + WATCHED for e in entries)
        if review:
            self.window.show_status(
                f"{review} earlier operation(s) need a manager's review (Pending operations).", 0
            )
        elif checking:
            self.window.show_status(
                f"{checking} earlier operation(s) not confirmed yet: posdesk keeps checking "
                "(Pending operations).",
                0,
            )

    async def _open_local(
        self, scope: LocalScope, profile: ConnectionProfile, *, demo: bool
    ) -> ScopedData:
        """The scope's folder and open journal. The demo gets a memory journal and a
        throw-away folder; a real scope first adopts what an older posdesk left per PC."""
        if demo:
            if self.demo_data is None:
                self.demo_data = demo_scope(scope)
                self.journals["demo"] = Journal(":memory:")
            return self.demo_data
        data = await asyncio.to_thread(open_scope, self.data_dir, scope)
        if scope.key not in self.journals:

            def adopt_and_open() -> Journal:
                adopted = adopt_legacy(self.data_dir, data, profile.name)
                if adopted:
                    _log.info("Adopted %d journal entries of %s", adopted, profile.name)
                return Journal(data.journal_path)

            self.journals[scope.key] = await asyncio.to_thread(adopt_and_open)
        return data

    async def _cancellable(self, awaitable: Awaitable[T]) -> T:
        """Run a step that may wait for the browser; Cancel in the window stops only it."""
        task: asyncio.Task[T] = asyncio.ensure_future(awaitable)
        self._signing_in = task
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled() and not _cancelling():
                raise SignInCancelledError from None
            task.cancel()
            raise
        finally:
            if self._signing_in is task:
                self._signing_in = None

    def _browser(self) -> Callable[[str], object]:
        if self.open_browser is not None:
            opener = self.open_browser

            def announce_then_open(url: str) -> object:
                self.window.set_connection_state("browser")
                return opener(url)

            return announce_then_open

        def open_with_qt(url: str) -> object:
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            self.window.set_connection_state("browser")
            return QDesktopServices.openUrl(QUrl(url))

        return open_with_qt

    async def sign_in_again(self) -> bool:
        """Interactive: the browser again. Client credentials: fetch a new token."""
        client, profile = self.client, self.profile
        if client is None or profile is None:
            if self.attempted is not None:
                return await self.connect(self.attempted)
            await self.start()
            return self.client is not None
        self.window.set_connection_state("connecting")
        try:
            if profile.auth_flow == "interactive":
                await self._cancellable(client.sign_in(browser_timeout=self.sign_in_timeout))
            else:
                # A new connection fetches a new token; a wrong secret fails here clearly.
                return await self.connect(profile)
        except SignInCancelledError:
            self.window.set_connection_state("expired", "Sign-in cancelled. Sign in to continue.")
            return False
        except PosError as exc:
            state = "expired" if isinstance(exc, NotAuthenticated) else "error"
            self.window.set_connection_state(state, exc.user_message)
            return False
        self.window.set_connection_state("connected")
        self.window.show_status("Signed in again.")
        self.window.reload_current()
        return True

    async def _close_local_data(self) -> None:
        local_data, self.local_data = self.local_data, None
        if local_data is not None:
            await local_data.aclose()

    async def sign_out(self) -> None:
        """Forget the refresh token of the active profile and close the connection."""
        client, profile = self.client, self.profile
        self.client = self.profile = None
        self.window.set_session(None)
        await self._close_local_data()
        self.window.set_connection_state("disconnected")
        if profile is not None and profile.auth_flow == "interactive":
            with contextlib.suppress(PosError):
                self.credentials_for(profile).set_refresh_token(profile.name, None)
        if client is not None:
            await client.aclose()
        self.refresh_profiles_menu()
        self.window.show_status("Signed out.")

    # ------------------------------------------------------------ profiles UI

    def show_profiles(self) -> ProfilesDialog:
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        current = self.profile.name if self.profile else None
        dialog = ProfilesDialog(
            self.store,
            self.test_connection,
            self.window,
            current=current,
            forget_local=self.forget_local_data,
        )
        dialog.connectRequested.connect(lambda name: self.spawn(self.open_profile(name)))
        dialog.profilesChanged.connect(self.refresh_profiles_menu)
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, _result: int) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def forget_local_data(self, name: str, removing: bool = False) -> Awaitable[int]:
        """Delete the local mirror files of profile ``name`` (the scopes it recorded when it
        connected); the open session's own file through its ``LocalData``. On removal, a
        scope another profile also uses is kept. Awaits to the number of files deleted."""
        keys = self.store.scope_keys(name)  # read now: removal deletes the profile next
        if removing:
            others = {k for o in self.store.names() if o != name for k in self.store.scope_keys(o)}
            keys = [k for k in keys if k not in others]
        paths = [scope_folder(self.data_dir, k) / MIRROR_FILE for k in keys]

        async def forget() -> int:
            deleted = 0
            for path in paths:
                current = self.local_data
                if current is not None and current.mirror.path == path:
                    if not current.forgotten:
                        await current.forget()
                        deleted += 1
                elif await asyncio.to_thread(path.exists):
                    await asyncio.to_thread(forget_file, path)
                    deleted += 1
            return deleted

        return forget()

    async def test_connection(
        self, profile: ConnectionProfile, secret: str | None
    ) -> ConnectionReport:
        """Discovery + token + schema check with what the dialog holds (nothing is saved)."""
        credentials: Credentials
        if secret:
            credentials = MemoryCredentials()
            credentials.set_client_secret(profile.name, secret)
        else:
            credentials = self.credentials_for(profile)
        client = await PosClient.connect(
            profile,
            credentials=credentials,
            open_browser=self._browser(),
            sign_in_timeout=self.sign_in_timeout,
        )
        try:
            environment, viewer = await _who_and_where(client, profile)
            return ConnectionReport(environment, viewer, client.features)
        finally:
            await client.aclose()

    # --------------------------------------------------------------- shutdown

    async def aclose(self) -> None:
        """Cancel everything, close the HTTP client, stop the demo server."""
        if self._closed:
            return
        self._closed = True
        if self.window.context is not None:
            await self.window.context.tasks.aclose()
        await self.tasks.aclose()
        await self._close_local_data()
        client, self.client = self.client, None
        if client is not None:
            await client.aclose()
        for journal in self.journals.values():
            journal.close()
        self.journals.clear()
        if self.demo_data is not None:
            remove_demo(self.demo_data)
        if self.demo is not None:
            await asyncio.to_thread(self.demo.stop)
