using ComfyUI.Client.Tests.Faults;

namespace ComfyUI.Client.LiveTests;

/// <summary>Network faults between the SDK and the real server, through a loopback TCP proxy.</summary>
public sealed class LiveFaultTests
{
    private static Workflow Steps(ulong seed) => new WorkflowBuilder()
        .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 6).Set("delay_seconds", 0.2).Set("width", 16).Set("height", 16)
            .Set("preview_format", "none").Set("send_progress_text", false).Set("seed", seed))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "sdk_test/live_fault"))
        .Build();

    [Fact]
    public async Task Connections_cut_mid_run_still_end_in_success_with_the_outputs()
    {
        using var probe = Live.Client();
        await using var proxy = new TcpFaultProxy(Live.Url!);
        await using var client = Live.ThroughProxy(proxy);

        var run = await client.SubmitAsync(Steps(Live.FreshSeed()), cancellationToken: Live.Ct);
        await Live.FirstProgressAsync(run).WaitAsync(Live.Deadline, Live.Ct);
        proxy.CutAll();
        var result = await run.WaitAsync(Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(probe, run.PromptId);

        Assert.Single(result.Images);
    }

    [Fact]
    public async Task Connections_held_silent_mid_run_do_not_hang_the_run()
    {
        using var probe = Live.Client();
        await using var proxy = new TcpFaultProxy(Live.Url!);
        await using var client = Live.ThroughProxy(proxy, o =>
        {
            o.WebSocket.IdleTimeout = TimeSpan.FromSeconds(1);
            o.WebSocket.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
            o.Tracking.SilenceReconcileInterval = TimeSpan.FromSeconds(1);
        });

        var run = await client.SubmitAsync(Steps(Live.FreshSeed()), cancellationToken: Live.Ct);
        await Live.FirstProgressAsync(run).WaitAsync(Live.Deadline, Live.Ct);
        proxy.HoldAll();
        var result = await run.WaitAsync(Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(probe, run.PromptId);

        Assert.Single(result.Images);
    }
}
