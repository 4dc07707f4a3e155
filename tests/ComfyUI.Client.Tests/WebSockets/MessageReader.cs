namespace ComfyUI.Client.Tests.WebSockets;

/// <summary>Reads a message stream one at a time, with a deadline on every read.</summary>
internal sealed class MessageReader : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly IAsyncEnumerator<ComfyMessage> _enumerator;

    public MessageReader(Func<CancellationToken, IAsyncEnumerable<ComfyMessage>> stream, TimeSpan? deadline = null)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _cts.CancelAfter(deadline ?? Waits.Deadline);
        _enumerator = stream(_cts.Token).GetAsyncEnumerator(_cts.Token);
    }

    public static MessageReader Of(ComfyWebSocket socket) => new(socket.ReadAllAsync);

    public static MessageReader Of(ComfyWebSocketSubscription subscription) => new(subscription.ReadAllAsync);

    public async Task<ComfyMessage> NextAsync()
    {
        Assert.True(await _enumerator.MoveNextAsync(), "the stream ended");
        return _enumerator.Current;
    }

    public async Task<T> NextAsync<T>()
        where T : ComfyMessage
    {
        var message = await NextAsync();
        return Assert.IsType<T>(message);
    }

    /// <summary>Skips messages until one of type T arrives.</summary>
    public async Task<T> UntilAsync<T>()
        where T : ComfyMessage
    {
        while (true)
        {
            if (await NextAsync() is T found)
            {
                return found;
            }
        }
    }

    /// <summary>Reads to the end of the stream.</summary>
    public async Task<List<ComfyMessage>> ToEndAsync()
    {
        var list = new List<ComfyMessage>();
        while (await _enumerator.MoveNextAsync())
        {
            list.Add(_enumerator.Current);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _enumerator.DisposeAsync();
        _cts.Dispose();
    }
}
