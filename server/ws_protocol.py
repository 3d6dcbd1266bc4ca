"""uvicorn's WebSocket protocol, closing open connections with 1001 (going away) at shutdown.

uvicorn closes them with 1012 (service restart). 1001 is what a server that goes away sends
(RFC 6455 §7.4.1), and what SPEC §15 asks; graphql-ws clients reconnect on either, to a worker
that is still up. The protocol is uvicorn's Sans-I/O `websockets` one, which uvicorn[standard]
picks by default.
"""

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

GOING_AWAY = 1001


class GoingAwayWebSocketProtocol(WebSocketsSansIOProtocol):
    def shutdown(self) -> None:
        if self.handshake_complete and self.initial_response is None and not self.close_sent:
            self.queue.put_nowait({"type": "websocket.disconnect", "code": GOING_AWAY})
            self.conn.send_close(GOING_AWAY, "Server shutting down")
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
        super().shutdown()
