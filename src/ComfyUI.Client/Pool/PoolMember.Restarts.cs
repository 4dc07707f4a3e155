namespace ComfyUI.Client;

/// <content>
/// What happens to the prompts of a server that was lost: given up after an outage (at least once), and the check, once it answers again,
/// whether it restarted (its prompt counter went back, or prompts it held vanished from its queue and history), which reads its capabilities
/// again and settles the runs it held.
/// </content>
internal sealed partial class PoolMember
{
    /// <summary>At-least-once delivery: the server stayed unreachable too long, so its runs are submitted elsewhere.</summary>
    private void GiveUpRuns(TimeSpan down)
    {
        lock (_gate)
        {
            if (_gaveUpRuns)
            {
                return;
            }

            _gaveUpRuns = true;
        }

        foreach (var run in Runs)
        {
            run.GiveUp(this, $"{Name} was unreachable for {down:g}");
        }
    }

    /// <summary>A run gave up its prompt here: when the server answers again, the prompt is removed from it so that it cannot run late.</summary>
    public void Abandon(string promptId)
    {
        lock (_gate)
        {
            _abandoned.Add(promptId);
        }
    }

    private void StartRestartCheck(string why, bool refreshAlways)
    {
        if (Interlocked.Exchange(ref _restartCheck, 1) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await CheckRestartAsync(why, refreshAlways, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                PoolLog.MonitorFailed(_pool.Logger, Name, ex.Message);
            }
            finally
            {
                Volatile.Write(ref _restartCheck, 0);
            }
        });
    }

    /// <summary>
    /// Whether the server restarted: a prompt the pool placed on it that it had accepted is in neither its queue nor its history. (Without
    /// such a prompt, the next submission's number tells: see <see cref="NoteNumber"/>.) Also removes the prompts given up on it.
    /// </summary>
    private async Task CheckRestartAsync(string why, bool refreshAlways, CancellationToken stop)
    {
        string[] abandoned;
        lock (_gate)
        {
            abandoned = [.. _abandoned];
            _abandoned.Clear();
        }

        if (abandoned.Length > 0)
        {
            try
            {
                // Only these prompts: removed if pending, interrupted (by id) if running; a prompt the server forgot is a no-op.
                await Client.Queue.DeleteAsync(abandoned, stop).ConfigureAwait(false);
                foreach (var promptId in abandoned)
                {
                    await Client.Queue.InterruptAsync(promptId, stop).ConfigureAwait(false);
                }
            }
            catch
            {
                lock (_gate)
                {
                    _abandoned.UnionWith(abandoned);
                }

                throw;
            }
        }

        var accepted = Runs.Select(run => run.AcceptedPromptIdOn(this)).OfType<string>().ToArray();
        string? vanished = null;
        if (accepted.Length > 0)
        {
            var queue = await Client.Queue.GetQueueAsync(stop).ConfigureAwait(false);
            foreach (var promptId in accepted.Where(id => !queue.Contains(id)))
            {
                // The server moves a prompt from its queue to its history atomically: not in the queue, then not in the history, is gone.
                if (await Client.History.GetAsync(promptId, stop).ConfigureAwait(false) is null)
                {
                    vanished = promptId;
                    break;
                }
            }
        }

        if (vanished is not null)
        {
            OnRestarted($"{why}, and prompt {vanished} vanished from its queue and its history");
        }
        else if (refreshAlways)
        {
            _ = RefreshCapabilities();
        }
    }

    /// <summary>The server restarted: its capabilities are read again (custom nodes or models may have changed).</summary>
    private void OnRestarted(string reason)
    {
        lock (_gate)
        {
            _restarts++;
        }

        PoolLog.ServerRestarted(_pool.Logger, Name, reason);
        _pool.Emit(this, PoolEventKind.Restarted, reason);
        _ = RefreshCapabilities();
        foreach (var run in Runs)
        {
            run.OnServerRestarted(this);
        }

        _pool.NotifyChanged();
    }
}
