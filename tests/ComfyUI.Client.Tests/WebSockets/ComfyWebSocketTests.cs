using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using ComfyUI.Client.WebSockets;
using Microsoft.Extensions.Time.Testing;
using static ComfyUI.Client.Tests.WebSockets.ComfyMessageParserTests;

namespace ComfyUI.Client.Tests.WebSockets;

public sealed class ComfyWebSocketTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Url_keeps_base_path_and_scheme()
    {
        var query = new Dictionary<string, string> { ["token"] = "a b" };
        Assert.Equal("wss://host/comfy/ws?clientId=abc&token=a%20b", ComfyWebSocket.BuildUri(new Uri("https://host/comfy/"), "abc", query).AbsoluteUri);
        Assert.Equal("ws://127.0.0.1:8188/ws?clientId=x", ComfyWebSocket.BuildUri(new Uri("http://127.0.0.1:8188/"), "x", new Dictionary<string, string>()).AbsoluteUri);
    }

    [Fact]
    public async Task Handshake_headers_flags_and_transcript_in_order()
    {
        var frames = WsTranscript.Load("ws_sdk_progress_preview_metadata");
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            foreach (var frame in frames)
            {
                await (frame.IsBinary ? connection.SendBinaryAsync(frame.Bytes) : connection.SendTextAsync(System.Text.Encoding.UTF8.GetString(frame.Bytes)));
            }

            await connection.RunUntilClosedAsync();
        }, basePath: "/comfy/");
        using var client = server.CreateClient(o =>
        {
            o.ApiKey = "secret";
            o.User = "alice";
            o.DefaultHeaders["X-Extra"] = "1";
            o.WebSocket.QueryParameters["token"] = "t";
        });
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        Assert.True(socket.IsConnected);
        Assert.Equal("test-client", socket.ClientId);
        await using var reader = MessageReader.Of(socket);
        var connected = await reader.NextAsync<ConnectedMessage>();
        Assert.Equal("test-client", connected.ClientId);
        foreach (var frame in frames)
        {
            var expected = ComfyMessageParser.ParseOrError(frame.Bytes, frame.IsBinary);
            var actual = await reader.NextAsync();
            Assert.Equal(expected.GetType(), actual.GetType());
            Assert.Equal(expected.PromptId, actual.PromptId);
        }

        Assert.Equal("test", socket.Sid);
        Assert.True(socket.ServerFeatures!.SupportsPreviewMetadata);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/comfy/ws", request.Path);
        Assert.Equal("?clientId=test-client&token=t", request.Query);
        Assert.Equal("Bearer secret", request.Headers.Authorization.ToString());
        Assert.Equal("alice", request.Headers["Comfy-User"].ToString());
        Assert.Equal("1", request.Headers["X-Extra"].ToString());
        Assert.False(request.Headers.ContainsKey("Origin"));
        var connection = await server.NextConnectionAsync(Ct);
        Assert.Equal("""{"type":"feature_flags","data":{"supports_preview_metadata":true}}""", connection.FirstMessage);
    }

    public static TheoryData<string> Transcripts => new(WsTranscript.Names);

    [Theory]
    [MemberData(nameof(Transcripts))]
    public async Task Every_transcript_replays_through_a_real_socket(string name)
    {
        var frames = WsTranscript.Load(name);
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            foreach (var frame in frames)
            {
                await (frame.IsBinary ? connection.SendBinaryAsync(frame.Bytes) : connection.SendTextAsync(System.Text.Encoding.UTF8.GetString(frame.Bytes)));
            }

            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient();
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        foreach (var frame in frames)
        {
            var actual = await reader.NextAsync();
            Assert.IsNotType<ProtocolErrorMessage>(actual);
            Assert.Equal(ComfyMessageParser.ParseOrError(frame.Bytes, frame.IsBinary), actual, new MessageShapeComparer());
        }
    }

    [Fact]
    public async Task Bad_frames_are_reported_in_band_and_the_socket_survives()
    {
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await connection.SendTextAsync("""{"type":"status","data":{"status":""");
            await connection.SendTextAsync("not json");
            await connection.SendBinaryAsync(Frame(4, U32(1000), [1, 2]));
            await connection.SendBinaryAsync([0, 0]);
            await connection.SendTextAsync("""{"type":"my_custom_event","data":{"x":1}}""");
            await connection.SendBinaryAsync(Frame(77, [5]));
            await connection.SendStatusAsync(3);
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient();
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        Assert.False((await reader.NextAsync<ProtocolErrorMessage>()).IsBinary);
        Assert.False((await reader.NextAsync<ProtocolErrorMessage>()).IsBinary);
        Assert.True((await reader.NextAsync<ProtocolErrorMessage>()).IsBinary);
        var shortFrame = await reader.NextAsync<ProtocolErrorMessage>();
        Assert.Equal([0, 0], shortFrame.RawFrame.ToArray());
        Assert.Equal("my_custom_event", (await reader.NextAsync<UnknownMessage>()).Type);
        Assert.Equal(77, (await reader.NextAsync<UnknownBinaryMessage>()).EventType);
        Assert.Equal(3, (await reader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.True(socket.IsConnected);
        Assert.Equal(1, server.Attempts);
    }

    [Fact]
    public async Task Reconnects_after_abort_with_same_client_id_and_flags_again()
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            if (connection.Index == 0)
            {
                await connection.SendStatusAsync(0, "test-client");
                await connection.SendTextAsync("""{"type":"progress","data":{"value":1,"max":2,"prompt_id":"p","node":"1"}}""");
                await read.Task;
                connection.Abort();
                return;
            }

            await connection.SendStatusAsync(0, "test-client");
            await connection.SendTextAsync("""{"type":"execution_success","data":{"prompt_id":"p","timestamp":5}}""");
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient();
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        await reader.NextAsync<StatusMessage>();
        await reader.NextAsync<ProgressMessage>();
        read.SetResult();
        var dropped = await reader.NextAsync<DisconnectedMessage>();
        Assert.NotNull(dropped.Reason);
        var reconnecting = await reader.NextAsync<ReconnectingMessage>();
        Assert.Equal(1, reconnecting.Attempt);
        var reconnected = await reader.NextAsync<ReconnectedMessage>();
        Assert.Equal("test-client", reconnected.ClientId);
        Assert.Equal(1, reconnected.ReconnectCount);
        Assert.Equal("test-client", (await reader.NextAsync<StatusMessage>()).Sid);
        Assert.Equal("p", (await reader.NextAsync<ExecutionSuccessMessage>()).PromptId);
        Assert.Equal(1, socket.ReconnectCount);
        Assert.True(socket.IsConnected);
        Assert.All(server.Requests, r => Assert.Equal("?clientId=test-client", r.Query));
        Assert.Equal(2, server.Requests.Count);
        await server.NextConnectionAsync(Ct);
        var second = await server.NextConnectionAsync(Ct);
        Assert.Contains("supports_preview_metadata", second.FirstMessage, StringComparison.Ordinal);
    }

    /// <summary>
    /// Advances fake time by <paramref name="step"/> until <paramref name="awaited"/> completes: the socket announces a retry before its
    /// timer is armed, so one advance can land before the timer exists (the reader's own deadline bounds the wait).
    /// </summary>
    private static async Task<T> AdvanceUntilAsync<T>(FakeTimeProvider time, Task<T> awaited, TimeSpan step)
    {
        while (!awaited.IsCompleted)
        {
            time.Advance(step);
            await Task.WhenAny(awaited, Task.Delay(50, Ct));
        }

        return await awaited;
    }

    [Fact]
    public async Task Refused_upgrade_retries_slowly_without_a_storm()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            if (connection.Index == 0)
            {
                connection.Abort();
                return;
            }

            await connection.SendStatusAsync(0);
            await connection.RunUntilClosedAsync();
        });
        var refuse = true;
        server.Refuse = index => index > 0 && Volatile.Read(ref refuse) ? 403 : null;
        using var client = server.CreateClient(o => o.WebSocket.RefusedRetryDelay = TimeSpan.FromMinutes(10), time);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        await reader.NextAsync<DisconnectedMessage>();
        var first = await reader.NextAsync<ReconnectingMessage>();
        Assert.Equal(1, first.Attempt);
        time.Advance(first.Delay);
        var second = await reader.NextAsync<ReconnectingMessage>();
        Assert.Equal(2, second.Attempt);
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(10), second.Delay);
        Assert.Equal(2, server.Attempts);

        var third = await AdvanceUntilAsync(time, reader.NextAsync<ReconnectingMessage>(), TimeSpan.FromMinutes(1));
        Assert.Equal(3, third.Attempt);
        Assert.Equal(3, server.Attempts);
        Assert.Equal(ComfyWebSocketState.Reconnecting, socket.State);

        Volatile.Write(ref refuse, false);
        await AdvanceUntilAsync(time, reader.NextAsync<ReconnectedMessage>(), third.Delay);
        await reader.NextAsync<StatusMessage>();
        Assert.Equal(4, server.Attempts);
        Assert.True(socket.IsConnected);
    }

    [Fact]
    public async Task Gives_up_after_max_attempts_and_ends_the_stream_with_the_error()
    {
        await using var server = await TestWebSocketServer.StartAsync(connection =>
        {
            connection.Abort();
            return Task.CompletedTask;
        });
        server.Refuse = index => index > 0 ? 403 : null;
        using var client = server.CreateClient(o =>
        {
            o.WebSocket.MaxReconnectAttempts = 3;
            o.WebSocket.RefusedRetryDelay = TimeSpan.FromMilliseconds(20);
        });
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        var received = new List<ComfyMessage>();
        var error = await Assert.ThrowsAsync<ComfyUIWebSocketException>(async () =>
        {
            while (true)
            {
                received.Add(await reader.NextAsync());
            }
        });
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.True(error.IsRefused);
        Assert.Equal(4, server.Attempts);
        Assert.Equal([1, 2, 3], received.OfType<ReconnectingMessage>().Select(m => m.Attempt));
        Assert.IsType<ClosedMessage>(received[^1]);
        Assert.Equal(ComfyWebSocketState.Faulted, socket.State);
        await using var late = socket.Subscribe();
        await Assert.ThrowsAsync<ComfyUIWebSocketException>(async () => await MessageReader.Of(late).ToEndAsync());
    }

    [Fact]
    public async Task Without_auto_reconnect_a_drop_ends_the_stream_with_an_error()
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await connection.SendStatusAsync(1);
            await read.Task;
            connection.Abort();
        });
        using var client = server.CreateClient(o => o.WebSocket.AutoReconnect = false);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        await reader.NextAsync<StatusMessage>();
        read.SetResult();
        await reader.NextAsync<DisconnectedMessage>();
        await reader.NextAsync<ClosedMessage>();
        var error = await Assert.ThrowsAsync<ComfyUIWebSocketException>(() => reader.NextAsync());
        Assert.NotNull(error.InnerException);
        Assert.Equal(1, server.Attempts);
    }

    [Fact]
    public async Task Clean_server_close_without_auto_reconnect_completes_the_stream()
    {
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await connection.SendStatusAsync(0);
            await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "going away", CancellationToken.None);
            await connection.ReceiveTextAsync();
        });
        using var client = server.CreateClient(o => o.WebSocket.AutoReconnect = false);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        var messages = await reader.ToEndAsync();
        Assert.IsType<ConnectedMessage>(messages[0]);
        Assert.IsType<StatusMessage>(messages[1]);
        var dropped = Assert.IsType<DisconnectedMessage>(messages[2]);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, dropped.CloseStatus);
        Assert.Equal("going away", dropped.CloseDescription);
        Assert.Null(dropped.Reason);
        Assert.Null(Assert.IsType<ClosedMessage>(messages[3]).Reason);
        Assert.Equal(4, messages.Count);
        Assert.Equal(ComfyWebSocketState.Closed, socket.State);
        var connection = await server.NextConnectionAsync(Ct);
        await connection.ClientClosed.Task.WaitAsync(Waits.Deadline, Ct);
    }

    [Fact]
    public async Task Clean_server_close_reconnects_like_a_restart()
    {
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await connection.SendStatusAsync(connection.Index);
            if (connection.Index == 0)
            {
                await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "restart", CancellationToken.None);
                await connection.ReceiveTextAsync();
                return;
            }

            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient();
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        Assert.Equal(0, (await reader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await reader.NextAsync<DisconnectedMessage>()).CloseStatus);
        await reader.NextAsync<ReconnectingMessage>();
        await reader.NextAsync<ReconnectedMessage>();
        Assert.Equal(1, (await reader.NextAsync<StatusMessage>()).QueueRemaining);
        var first = await server.NextConnectionAsync(Ct);
        await first.ClientClosed.Task.WaitAsync(Waits.Deadline, Ct);
    }

    [Fact]
    public async Task Refused_first_connect_throws()
    {
        await using var server = await TestWebSocketServer.StartAsync(_ => Task.CompletedTask);
        server.Refuse = _ => 401;
        using var client = server.CreateClient();
        var error = await Assert.ThrowsAsync<ComfyUIWebSocketException>(() => client.ConnectWebSocketAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(1, server.Attempts);
    }

    [Fact]
    public async Task Keep_alive_timeout_reconnects_a_silent_dead_server()
    {
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            if (connection.Index == 0)
            {
                // Never read again: pings go unanswered.
                await Task.Delay(Timeout.Infinite, connection.Context.RequestAborted);
                return;
            }

            await connection.SendStatusAsync(0);
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient(o =>
        {
            o.WebSocket.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
            o.WebSocket.IdleTimeout = TimeSpan.FromMilliseconds(300);
        });
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        var dropped = await reader.NextAsync<DisconnectedMessage>();
        Assert.NotNull(dropped.Reason);
        await reader.NextAsync<ReconnectingMessage>();
        await reader.NextAsync<ReconnectedMessage>();
        await reader.NextAsync<StatusMessage>();
    }

    [Fact]
    public async Task Frame_watchdog_does_not_count_back_pressure_as_silence()
    {
        var time = new FakeTimeProvider();
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await go.Task;
            for (var i = 0; i < 5; i++)
            {
                await connection.SendStatusAsync(i);
            }

            sent.SetResult();
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient(o =>
        {
            o.WebSocket.ChannelCapacity = 1;
            o.WebSocket.IdleTimeout = TimeSpan.FromSeconds(60);
        }, time, forceFrameWatchdog: true);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var subscription = socket.Subscribe();
        go.SetResult();
        await sent.Task.WaitAsync(Waits.Deadline, Ct);
        await Task.Delay(200, Ct);
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(20, Ct);
        }

        await using var reader = MessageReader.Of(subscription);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i, (await reader.UntilAsync<StatusMessage>()).QueueRemaining);
        }

        Assert.Equal(0, socket.ReconnectCount);
        Assert.Equal(1, server.Attempts);
    }

    [Fact]
    public async Task Frame_watchdog_reconnects_after_idle_timeout()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await connection.SendStatusAsync(connection.Index);
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient(o => o.WebSocket.IdleTimeout = TimeSpan.FromSeconds(60), time, forceFrameWatchdog: true);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        await reader.NextAsync<StatusMessage>();
        var start = time.GetUtcNow();
        var dropped = Assert.IsType<DisconnectedMessage>(await StepUntilAsync(time, reader.NextAsync()));
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromSeconds(60));
        Assert.True(dropped.IsIdleTimeout);
        var reconnecting = await reader.NextAsync<ReconnectingMessage>();
        Assert.Equal(TimeSpan.Zero, reconnecting.Delay);
        await reader.NextAsync<ReconnectedMessage>();
        Assert.Equal(1, (await reader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(2, server.Attempts);
        var first = await server.NextConnectionAsync(Ct);
        await first.Ended.Task.WaitAsync(Waits.Deadline, Ct);
    }

    [Fact]
    public async Task Frame_watchdog_keeps_a_healthy_idle_server_that_answers_the_probe()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestWebSocketServer.StartAsync(connection => connection.RunUntilClosedAsync());
        server.AnswerPrompt = true;
        using var client = server.CreateClient(o => o.WebSocket.IdleTimeout = TimeSpan.FromSeconds(60), time, forceFrameWatchdog: true);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        var start = time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await StepUntilAsync(time, server.Probes.Reader.ReadAsync(Ct).AsTask());
        }

        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromSeconds(180));
        Assert.True(socket.IsConnected);
        Assert.Equal(0, socket.ReconnectCount);
        Assert.Equal(1, server.Attempts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Slow_subscriber_gets_every_execution_message_in_order(bool dropPreviews)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int Count = 50;
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await go.Task;
            for (var i = 0; i < Count; i++)
            {
                await connection.SendTextAsync("{\"type\":\"progress\",\"data\":{\"value\":" + i + ",\"max\":" + Count + ",\"prompt_id\":\"p\",\"node\":\"1\"}}");
                await connection.SendBinaryAsync(Frame(1, U32(1), [0xFF, 0xD8, (byte)i]));
            }

            await connection.SendTextAsync("""{"type":"execution_success","data":{"prompt_id":"p","timestamp":1}}""");
            sent.SetResult();
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient(o =>
        {
            o.WebSocket.ChannelCapacity = 1;
            o.WebSocket.DropPreviewsWhenFull = dropPreviews;
        });
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var subscription = socket.Subscribe();
        go.SetResult();

        // Nobody reads until the server sent everything: the subscriber is full from the second message on.
        await sent.Task.WaitAsync(Waits.Deadline, Ct);
        await using var reader = MessageReader.Of(subscription);
        var progress = new List<double>();
        var previews = 0;
        while (true)
        {
            var message = await reader.NextAsync();
            await Task.Delay(2, Ct);
            if (message is ProgressMessage p)
            {
                progress.Add(p.Value);
            }
            else if (message is PreviewImageMessage)
            {
                previews++;
            }
            else if (message is ExecutionSuccessMessage)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => (double)i), progress);
        if (dropPreviews)
        {
            Assert.Equal(Count, previews + subscription.DroppedPreviews);
            Assert.True(subscription.DroppedPreviews > 0);
        }
        else
        {
            Assert.Equal(Count, previews);
            Assert.Equal(0, subscription.DroppedPreviews);
        }
    }

    [Fact]
    public async Task Previews_can_be_switched_off_at_the_socket()
    {
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await connection.SendBinaryAsync(Frame(1, U32(1), [1]));
            await connection.SendBinaryAsync(Frame(3, U32(1), "1"u8.ToArray(), "step"u8.ToArray()));
            var json = """{"node_id":"1","prompt_id":"p","image_type":"image/png"}"""u8.ToArray();
            await connection.SendBinaryAsync(Frame(4, U32(json.Length), json, [1]));
            await connection.SendStatusAsync(0);
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient(o => o.WebSocket.ReceivePreviews = false);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        Assert.Equal("step", (await reader.NextAsync<ProgressTextMessage>()).Text);
        await reader.NextAsync<StatusMessage>();
    }

    [Fact]
    public async Task Subscribers_each_see_every_message_until_they_unsubscribe()
    {
        var step = new SemaphoreSlim(0);
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await step.WaitAsync();
            await connection.SendStatusAsync(1);
            await connection.SendStatusAsync(2);
            await step.WaitAsync();
            await connection.SendStatusAsync(3);
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient();
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        var first = socket.Subscribe();
        await using var second = socket.Subscribe();
        await using var firstReader = MessageReader.Of(first);
        await using var secondReader = MessageReader.Of(second);
        await using var defaultReader = MessageReader.Of(socket);
        step.Release();
        Assert.Equal(1, (await firstReader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(2, (await firstReader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(1, (await secondReader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(2, (await secondReader.NextAsync<StatusMessage>()).QueueRemaining);
        await defaultReader.NextAsync<ConnectedMessage>();
        Assert.Equal(1, (await defaultReader.NextAsync<StatusMessage>()).QueueRemaining);

        await first.DisposeAsync();
        Assert.Empty(await firstReader.ToEndAsync());
        step.Release();
        Assert.Equal(3, (await secondReader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(2, (await defaultReader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(3, (await defaultReader.NextAsync<StatusMessage>()).QueueRemaining);
        Assert.Equal(1, server.Attempts);
    }

    [Fact]
    public async Task Cancellation_ends_an_enumeration_promptly()
    {
        await using var server = await TestWebSocketServer.StartAsync(connection => connection.RunUntilClosedAsync());
        using var client = server.CreateClient();
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            await foreach (var message in socket.ReadAllAsync(cts.Token))
            {
                seen.TrySetResult();
            }
        }, Ct);
        await seen.Task.WaitAsync(Waits.Deadline, Ct);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.True(socket.IsConnected);
    }

    [Fact]
    public async Task Dispose_finishes_the_close_handshake_and_completes_every_stream()
    {
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await connection.SendStatusAsync(0, "test-client");
            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient();
        var socket = await client.ConnectWebSocketAsync(Ct);
        var subscription = socket.Subscribe();
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        await reader.NextAsync<StatusMessage>();
        var connection = await server.NextConnectionAsync(Ct);
        var started = TimeProvider.System.GetTimestamp();
        await socket.DisposeAsync().AsTask().WaitAsync(Waits.Deadline, Ct);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(4));
        await connection.ClientClosed.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(ComfyWebSocketState.Closed, socket.State);
        var rest = await reader.ToEndAsync();
        var closed = Assert.IsType<ClosedMessage>(Assert.Single(rest));
        Assert.Null(closed.Reason);
        var subscriptionRest = await MessageReader.Of(subscription).ToEndAsync();
        Assert.IsType<ClosedMessage>(subscriptionRest[^1]);
        Assert.Equal(1, server.Attempts);
    }

    [Fact]
    public async Task Dispose_while_waiting_to_reconnect_ends_promptly_and_cleanly()
    {
        await using var server = await TestWebSocketServer.StartAsync(connection =>
        {
            connection.Abort();
            return Task.CompletedTask;
        });
        server.Refuse = index => index > 0 ? 404 : null;
        using var client = server.CreateClient(o => o.WebSocket.RefusedRetryDelay = TimeSpan.FromMinutes(10));
        var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = MessageReader.Of(socket);
        await reader.UntilAsync<ReconnectingMessage>();
        var refused = await reader.NextAsync<ReconnectingMessage>();
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        await socket.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), Ct);
        var rest = await reader.ToEndAsync();
        Assert.Null(Assert.IsType<ClosedMessage>(Assert.Single(rest)).Reason);
        Assert.Equal(ComfyWebSocketState.Closed, socket.State);
        Assert.Equal(2, server.Attempts);
    }

    [Fact]
    public async Task Default_stream_buffers_from_connect_never_holds_the_socket_back_and_takes_new_messages_once_read()
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var more = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestWebSocketServer.StartAsync(async connection =>
        {
            await go.Task;
            for (var i = 0; i < 10; i++)
            {
                await connection.SendStatusAsync(i);
            }

            await more.Task;
            for (var i = 100; i < 103; i++)
            {
                await connection.SendStatusAsync(i);
            }

            await connection.RunUntilClosedAsync();
        });
        using var client = server.CreateClient(o => o.WebSocket.ChannelCapacity = 4);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var subscription = socket.Subscribe();
        await using var subscriber = MessageReader.Of(subscription);
        go.SetResult();
        for (var i = 0; i < 10; i++)
        {
            // The subscriber gets all ten although nobody reads the socket's own stream.
            Assert.Equal(i, (await subscriber.UntilAsync<StatusMessage>()).QueueRemaining);
        }

        // The socket's own stream buffered from connect and was full at four (connected, 0, 1, 2) while nobody read it: 3 to 9 were not
        // kept. Read from now on, it takes what comes.
        await using var reader = MessageReader.Of(socket);
        await reader.NextAsync<ConnectedMessage>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i, (await reader.NextAsync<StatusMessage>()).QueueRemaining);
        }

        more.SetResult();
        for (var i = 100; i < 103; i++)
        {
            Assert.Equal(i, (await reader.NextAsync<StatusMessage>()).QueueRemaining);
            Assert.Equal(i, (await subscriber.UntilAsync<StatusMessage>()).QueueRemaining);
        }
    }

    /// <summary>Moves fake time on in one-second steps until the task completes (at most 10 fake minutes, 10 real seconds).</summary>
    private static async Task<T> StepUntilAsync<T>(FakeTimeProvider time, Task<T> task)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        for (var step = 0; step < 600 && !task.IsCompleted && TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromSeconds(10); step++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(task, Task.Delay(10, Ct));
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    /// <summary>Compares two parsed messages by type, prompt id and JSON shape of their public data.</summary>
    private sealed class MessageShapeComparer : IEqualityComparer<ComfyMessage>
    {
        public bool Equals(ComfyMessage? x, ComfyMessage? y) =>
            x?.GetType() == y?.GetType() && x?.PromptId == y?.PromptId && Describe(x) == Describe(y);

        public int GetHashCode(ComfyMessage obj) => obj.GetType().GetHashCode();

        private static string Describe(ComfyMessage? message) => message switch
        {
            PreviewImageMessage p => p.MimeType + Convert.ToBase64String(p.Image.Span),
            PreviewImageWithMetadataMessage p => p.MimeType + p.NodeId + Convert.ToBase64String(p.Image.Span),
            ProgressTextMessage t => t.NodeId + t.Text,
            ExecutedMessage e => e.Node + JsonSerializer.Serialize(e.Output.Raw.Keys.ToArray()),
            ExecutionErrorMessage e => e.NodeId + e.ExceptionType + e.ExceptionMessage,
            ProgressMessage p => $"{p.Value}/{p.Max}",
            StatusMessage s => $"{s.QueueRemaining}{s.Sid}",
            _ => message?.ToString() ?? "",
        };
    }
}
