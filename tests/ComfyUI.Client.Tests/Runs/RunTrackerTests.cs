using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Runs;

/// <summary>The run tracker's invariants, staged exactly on a scripted server.</summary>
public sealed class RunTrackerTests
{
    private static readonly TimeSpan Deadline = Waits.Deadline;

    private static Workflow SaveWorkflow() => Workflow.Parse("""{"2": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x"}}}""");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_prompt_that_finishes_before_the_POST_returns_still_completes_with_its_outputs()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = async (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            Assert.Equal("runs-test", body["client_id"]!.GetValue<string>());
            server.History[id] = ScriptedComfyServer.SuccessEntry(id);
            await server.SendSuccessAsync("runs-test", id);
            return (200, ScriptedComfyServer.Accepted(id));
        };
        await using var client = server.CreateClient();

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Succeeded, result.Status);
        Assert.Equal("out_00001_.png", Assert.Single(result.Images).Filename);
        var events = new List<PromptEvent>();
        await foreach (var e in run.ReadEventsAsync(Ct))
        {
            events.Add(e);
        }

        Assert.IsType<PromptQueuedEvent>(events[0]);
        Assert.IsType<PromptStartedEvent>(events[1]);
        Assert.Contains(events, e => e is PromptProgressEvent { Value: 1, Max: 2 });
        Assert.Contains(events, e => e is PromptNodeOutputEvent { NodeId: "2" });
        Assert.IsType<PromptFinishedEvent>(events[^1]);
    }

    [Fact]
    public async Task The_outcome_is_read_from_the_history_once_when_the_server_signals_it_was_written()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        await using var client = server.CreateClient();
        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        server.History[run.PromptId] = ScriptedComfyServer.SuccessEntry(run.PromptId);

        // As ComfyUI: execution_success, then (history written) "executing" with no node.
        await server.SendSuccessAsync("runs-test", run.PromptId);
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Succeeded, result.Status);
        Assert.Equal(1, server.HistoryReads[run.PromptId]);
    }

    [Fact]
    public async Task A_run_that_never_hears_the_history_written_signal_still_finishes_from_the_history()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        await using var client = server.CreateClient();
        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        server.History[run.PromptId] = ScriptedComfyServer.SuccessEntry(run.PromptId);

        // execution_success arrives, the final "executing" does not (lost): the run reads the history after a short grace.
        await server.SendAsync("runs-test", $$$"""{"type": "execution_success", "data": {"prompt_id": "{{{run.PromptId}}}", "timestamp": 2}}""");
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Succeeded, result.Status);
        Assert.Equal("out_00001_.png", Assert.Single(result.Images).Filename);
    }

    [Fact]
    public async Task The_prompt_id_is_chosen_by_the_client_and_the_socket_is_open_before_the_POST()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        var connectedBeforePost = false;
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Connected += _ => connected.TrySetResult();
        server.OnPrompt = (body, http) =>
        {
            connectedBeforePost = connected.Task.IsCompleted;
            var id = body["prompt_id"]!.GetValue<string>();
            server.Pending[id] = true;
            return Task.FromResult((200, ScriptedComfyServer.Accepted(id)));
        };
        await using var client = server.CreateClient();

        await using var run = await client.SubmitAsync(SaveWorkflow(), new PromptOptions { PreviewMethod = "auto" }, Ct);

        Assert.True(connectedBeforePost);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", run.PromptId);
        var posted = JsonNode.Parse(server.Posts.Single()["prompt ".Length..])!;
        Assert.Equal(run.PromptId, posted["prompt_id"]!.GetValue<string>());
        Assert.Equal("auto", posted["extra_data"]!["preview_method"]!.GetValue<string>());
        Assert.Equal(PromptStatus.Queued, run.Status);
    }

    [Fact]
    public async Task A_rejected_prompt_throws_the_validation_exception_and_tracks_nothing()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = (_, http) => Task.FromResult((400, Fixture.Http("prompt_error_invalid_inputs.json")));
        await using var client = server.CreateClient();

        var ex = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct));

        Assert.NotEmpty(ex.NodeErrors);
        Assert.Equal(0, client.RunHub.ActiveRuns);
    }

    [Fact]
    public async Task An_error_at_a_node_ends_the_run_as_failed_with_node_and_exception()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = async (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            _ = Task.Run(async () =>
            {
                await server.SendAsync("runs-test", $$$"""{"type": "execution_start", "data": {"prompt_id": "{{{id}}}", "timestamp": 1}}""");
                server.History[id] = ScriptedComfyServer.ErrorEntry(id);
                await server.SendAsync("runs-test", $$$"""{"type": "execution_error", "data": {"prompt_id": "{{{id}}}", "node_id": "2", "node_type": "SdkTestRaiseError", "executed": [], "exception_message": "boom", "exception_type": "ValueError", "traceback": ["line 1"], "current_inputs": {}, "current_outputs": [], "timestamp": 2}}""");
            });
            return (200, ScriptedComfyServer.Accepted(id));
        };
        await using var client = server.CreateClient();

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<ComfyUIExecutionException>(() => run.WaitAsync(Ct).WaitAsync(Deadline, Ct));

        Assert.Equal(PromptStatus.Failed, ex.Status);
        Assert.Equal("2", ex.NodeId);
        Assert.Equal("SdkTestRaiseError", ex.NodeType);
        Assert.Equal("ValueError", ex.ExceptionType);
        Assert.Equal("boom", ex.ExceptionMessage);
        Assert.Equal(["line 1"], ex.Traceback);
    }

    [Fact]
    public async Task An_interrupt_by_someone_else_ends_the_run_as_interrupted()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            _ = Task.Run(async () =>
            {
                await server.SendAsync("runs-test", $$$"""{"type": "execution_start", "data": {"prompt_id": "{{{id}}}", "timestamp": 1}}""");
                server.History[id] = ScriptedComfyServer.InterruptedEntry(id);
                await server.SendAsync("runs-test", $$$"""{"type": "execution_interrupted", "data": {"prompt_id": "{{{id}}}", "node_id": "2", "node_type": "SdkTestSlow", "executed": [], "timestamp": 2}}""");
            });
            return Task.FromResult((200, ScriptedComfyServer.Accepted(id)));
        };
        await using var client = server.CreateClient();

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Interrupted, result.Status);
        Assert.DoesNotContain(server.Posts, post => post.StartsWith("interrupt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_socket_dropped_mid_run_reconnects_and_the_outputs_come_from_history()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = 0;
        server.Connected += _ =>
        {
            if (Interlocked.Increment(ref connections) == 2)
            {
                reconnected.TrySetResult();
            }
        };
        server.AcceptPrompts();
        await using var client = server.CreateClient();

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        await server.SendAsync("runs-test", $$$"""{"type": "execution_start", "data": {"prompt_id": "{{{run.PromptId}}}", "timestamp": 1}}""");
        // The prompt finishes while the socket is down: its events are lost.
        server.AbortSockets();
        server.Running.Clear();
        server.History[run.PromptId] = ScriptedComfyServer.SuccessEntry(run.PromptId, "after_drop.png");
        await reconnected.Task.WaitAsync(Deadline, Ct);
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal("after_drop.png", Assert.Single(result.Images).Filename);
    }

    [Fact]
    public async Task A_silent_socket_does_not_hang_the_run_the_tracker_reconciles_from_history()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        await using var client = server.CreateClient(o => o.Tracking.SilenceReconcileInterval = TimeSpan.FromMilliseconds(300));

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        // The socket stays open but the server never sends the prompt's events.
        server.Running.Clear();
        server.History[run.PromptId] = ScriptedComfyServer.SuccessEntry(run.PromptId, "silent.png");
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal("silent.png", Assert.Single(result.Images).Filename);
    }

    [Fact]
    public async Task A_server_restart_that_forgets_the_prompt_ends_the_run_as_lost_in_bounded_time()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        await using var client = server.CreateClient();

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        // Restart: queue and running prompt gone, socket dropped, no history.
        server.Running.Clear();
        server.AbortSockets();
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Lost, result.Status);
        Assert.Contains("neither in its queue nor in its history", result.Reason);
        var ex = await Assert.ThrowsAsync<ComfyUIExecutionException>(() => run.WaitAsync(Ct));
        Assert.Equal(PromptStatus.Lost, ex.Status);
    }

    [Fact]
    public async Task Without_any_socket_the_run_is_followed_by_polling()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.RefuseUpgrades = 403;
        server.AcceptPrompts(running: false);
        await using var client = server.CreateClient();

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        Assert.False(client.RunHub.IsSocketHealthy);
        server.Pending.Clear();
        server.History[run.PromptId] = ScriptedComfyServer.SuccessEntry(run.PromptId, "polled.png");
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal("polled.png", Assert.Single(result.Images).Filename);
        Assert.Equal(1, server.UpgradeAttempts);
    }

    [Fact]
    public async Task Cancelling_a_pending_run_deletes_only_its_prompt_from_the_queue()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.Pending["someone-else"] = true;
        server.OnPrompt = (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            server.Pending[id] = true;
            return Task.FromResult((200, ScriptedComfyServer.Accepted(id)));
        };
        await using var client = server.CreateClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: cts.Token);
        await cts.CancelAsync();
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Cancelled, result.Status);
        Assert.True(server.Pending.ContainsKey("someone-else"));
        var deletes = server.Posts.Where(p => p.StartsWith("queue", StringComparison.Ordinal)).ToArray();
        Assert.Equal($$$"""queue {"delete":["{{{run.PromptId}}}"]}""", Assert.Single(deletes));
        Assert.All(server.Posts.Where(p => p.StartsWith("interrupt", StringComparison.Ordinal)), p => Assert.Contains(run.PromptId, p));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Ct));
    }

    [Fact]
    public async Task Cancelling_a_running_run_interrupts_that_prompt_id_only()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        server.InterruptRequested += body =>
        {
            var id = JsonNode.Parse(body)?["prompt_id"]?.GetValue<string>();
            if (id is not null && server.Running.TryRemove(id, out _))
            {
                server.History[id] = ScriptedComfyServer.InterruptedEntry(id);
                _ = server.SendAsync("runs-test", $$$"""{"type": "execution_interrupted", "data": {"prompt_id": "{{{id}}}", "node_id": "2", "node_type": "SdkTestSlow", "executed": [], "timestamp": 2}}""");
            }
        };
        await using var client = server.CreateClient();

        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        await server.SendAsync("runs-test", $$$"""{"type": "execution_start", "data": {"prompt_id": "{{{run.PromptId}}}", "timestamp": 1}}""");
        var result = await run.CancelAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Cancelled, result.Status);
        var interrupt = Assert.Single(server.Posts, p => p.StartsWith("interrupt", StringComparison.Ordinal));
        Assert.Equal($$$"""interrupt {"prompt_id":"{{{run.PromptId}}}"}""", interrupt);
        Assert.DoesNotContain(server.Posts, p => p.Contains("\"clear\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Twenty_concurrent_runs_share_one_socket_and_each_sees_only_its_own_events()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            _ = Task.Run(async () =>
            {
                server.History[id] = ScriptedComfyServer.SuccessEntry(id, id + ".png");
                await server.SendSuccessAsync("runs-test", id, id + ".png");
            });
            return Task.FromResult((200, ScriptedComfyServer.Accepted(id)));
        };
        await using var client = server.CreateClient();

        var runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct)));
        var results = await Task.WhenAll(runs.Select(run => run.WaitAsync(Ct))).WaitAsync(Deadline, Ct);

        Assert.Equal(1, server.UpgradeAttempts);
        foreach (var (run, result) in runs.Zip(results))
        {
            Assert.Equal(run.PromptId + ".png", Assert.Single(result.Images).Filename);
            await foreach (var e in run.ReadEventsAsync(Ct))
            {
                Assert.Equal(run.PromptId, e.PromptId);
                if (e is PromptNodeOutputEvent output)
                {
                    Assert.Equal(run.PromptId + ".png", output.Output.Images.Single().Filename);
                }
            }
        }
    }

    [Fact]
    public async Task A_transport_failure_on_POST_is_retried_once_when_the_server_has_no_trace_of_the_prompt()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        var attempts = 0;
        server.OnPrompt = (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            if (Interlocked.Increment(ref attempts) == 1)
            {
                return Task.FromResult((0, "")); // connection dropped, nothing queued
            }

            server.Pending[id] = true;
            return Task.FromResult((200, ScriptedComfyServer.Accepted(id)));
        };
        await using var client = server.CreateClient();

        await using var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);

        var ids = server.Posts.Where(p => p.StartsWith("prompt", StringComparison.Ordinal))
            .Select(p => JsonNode.Parse(p["prompt ".Length..])!["prompt_id"]!.GetValue<string>()).ToArray();
        Assert.Equal([run.PromptId, run.PromptId], ids);
    }

    [Fact]
    public async Task A_transport_failure_after_the_server_queued_the_prompt_is_not_resubmitted()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = (body, http) =>
        {
            server.Pending[body["prompt_id"]!.GetValue<string>()] = true;
            return Task.FromResult((0, "")); // queued, then the answer was lost
        };
        await using var client = server.CreateClient();

        await using var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);

        Assert.Single(server.Posts, p => p.StartsWith("prompt", StringComparison.Ordinal));
        Assert.Equal(PromptStatus.Queued, run.Status);
    }

    [Fact]
    public async Task DownloadOutputsTo_saves_every_output_file_under_its_subfolder()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            server.History[id] = ScriptedComfyServer.SuccessEntry(id, "saved.png");
            _ = server.SendSuccessAsync("runs-test", id, "saved.png");
            return Task.FromResult((200, ScriptedComfyServer.Accepted(id)));
        };
        await using var client = server.CreateClient();
        var folder = Path.Combine(Path.GetTempPath(), "comfy-runs-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await client.RunAsync(SaveWorkflow(), new PromptOptions { DownloadOutputsTo = folder }, Ct).WaitAsync(Deadline, Ct);

            var saved = Assert.Single(result.SavedFiles);
            Assert.Equal("2", saved.NodeId);
            Assert.Equal(Path.Combine(Path.GetFullPath(folder), "saved.png"), saved.Path);
            Assert.Equal("bytes of /saved.png", await File.ReadAllTextAsync(saved.Path, Ct));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
