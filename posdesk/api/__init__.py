"""posdesk.api: the async Kensium POS client (no Qt; usable from scripts).

Nothing is imported here on purpose: ``posdesk.api.errors``, ``posdesk.api.profile`` and
``posdesk.api.compat`` are safe for the UI; ``posdesk.api.client`` (``PosClient``) pulls in
httpx and authlib and is constructed by the composition root. A script::

    import asyncio
    from posdesk.api.client import PosClient
    from posdesk.api.credentials import Credentials
    from posdesk.api.profile import ConnectionProfile

    async def main() -> None:
        profile = ConnectionProfile("erp", "https://pos.example.com", client_id="acme-erp")
        Credentials().set_client_secret(profile.name, "...")  # once; kept in the OS keychain
        async with await PosClient.connect(profile) as client:
            async for page, cursor in client.sync("sale", since=""):
                ...  # store page.items, then persist cursor

    asyncio.run(main())
"""
