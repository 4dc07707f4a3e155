using System.CommandLine;
using System.Globalization;

namespace ComfyUI.Client.Cli.Commands;

/// <summary><c>queue</c> (list, clear, delete), <c>interrupt</c>, <c>history</c>, <c>free</c>.</summary>
internal static class QueueCommands
{
    public static void Add(RootCommand root)
    {
        var queue = new Command("queue", "Show the running and pending prompts");
        queue.SetAction((result, ct) => Execute(result, async (client, output) =>
        {
            var state = await client.Queue.GetQueueAsync(ct).ConfigureAwait(false);
            foreach (var item in state.Running)
            {
                Item(output, item, "running", null);
            }

            var position = 0;
            foreach (var item in state.PendingInExecutionOrder)
            {
                Item(output, item, "pending", position++);
            }

            if (state.Running.Count == 0 && state.Pending.Count == 0)
            {
                output.Line("the queue is empty");
            }

            return ExitCodes.Success;
        }, ct));

        var clear = new Command("clear", "Remove every pending prompt (the running one continues)");
        clear.SetAction((result, ct) => Execute(result, async (client, output) =>
        {
            await client.Queue.ClearAsync(ct).ConfigureAwait(false);
            Done(output, "queue_cleared", "pending prompts removed");
            return ExitCodes.Success;
        }, ct));
        queue.Add(clear);

        var ids = new Argument<string[]>("prompt-id") { Arity = ArgumentArity.OneOrMore, Description = "Prompt ids to remove from the queue" };
        var delete = new Command("delete", "Remove pending prompts by id") { ids };
        delete.SetAction((result, ct) => Execute(result, async (client, output) =>
        {
            var promptIds = result.GetValue(ids)!;
            await client.Queue.DeleteAsync(promptIds, ct).ConfigureAwait(false);
            Done(output, "queue_deleted", $"removed {string.Join(", ", promptIds)} (if pending)");
            return ExitCodes.Success;
        }, ct));
        queue.Add(delete);
        root.Add(queue);

        var interruptId = new Argument<string?>("prompt-id") { Arity = ArgumentArity.ZeroOrOne, Description = "Interrupt only this prompt (if it is the one running)" };
        var interrupt = new Command("interrupt", "Interrupt the running prompt (or only the given prompt id)") { interruptId };
        interrupt.SetAction((result, ct) => Execute(result, async (client, output) =>
        {
            var id = result.GetValue(interruptId);
            await client.Queue.InterruptAsync(id, ct).ConfigureAwait(false);
            Done(output, "interrupted", id is null ? "interrupted whatever was running" : $"interrupted {id} (if it was running)");
            return ExitCodes.Success;
        }, ct));
        root.Add(interrupt);

        var historyId = new Argument<string?>("prompt-id") { Arity = ArgumentArity.ZeroOrOne, Description = "One prompt's entry" };
        var maxItems = new Option<int>("--max-items") { Description = "The newest N entries", DefaultValueFactory = _ => 20 };
        var history = new Command("history", "Show finished prompts (newest N) or one prompt's entry") { historyId, maxItems };
        history.SetAction((result, ct) => Execute(result, async (client, output) =>
        {
            if (result.GetValue(historyId) is { } id)
            {
                var entry = await client.History.GetAsync(id, ct).ConfigureAwait(false);
                if (entry is null)
                {
                    output.Fail($"no history entry for {id}");
                    return ExitCodes.RunFailed;
                }

                Entry(output, entry);
                return ExitCodes.Success;
            }

            foreach (var entry in await client.History.ListAsync(result.GetValue(maxItems), cancellationToken: ct).ConfigureAwait(false))
            {
                Entry(output, entry);
            }

            return ExitCodes.Success;
        }, ct));
        root.Add(history);

        var unload = new Option<bool>("--unload-models") { Description = "Only unload models (keep the node cache)" };
        var free = new Command("free", "Free memory: unload models and reset the cache (between prompts)") { unload };
        free.SetAction((result, ct) => Execute(result, async (client, output) =>
        {
            var onlyUnload = result.GetValue(unload);
            await client.Memory.FreeAsync(new FreeMemoryOptions { UnloadModels = true, FreeMemory = !onlyUnload }, ct).ConfigureAwait(false);
            Done(output, "freed", onlyUnload ? "models will be unloaded" : "memory will be freed");
            return ExitCodes.Success;
        }, ct));
        root.Add(free);
    }

    /// <summary>Runs an action with a client, mapping failures to exit codes.</summary>
    internal static async Task<int> Execute(ParseResult result, Func<ComfyUIClient, CliOutput, Task<int>> action, CancellationToken cancellationToken)
    {
        var output = CliApp.Output(result);
        try
        {
            await using var client = CliApp.CreateClient(result);
            return await action(client, output).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return CliApp.Fail(output, ex);
        }
    }

    internal static void Done(CliOutput output, string type, string text)
    {
        output.Object(w => w.WriteString("type", type));
        output.Line(text);
    }

    private static void Item(CliOutput output, QueueItem item, string state, int? position)
    {
        output.Object(w =>
        {
            w.WriteString("type", "queue_item");
            w.WriteString("state", state);
            w.WriteString("prompt_id", item.PromptId);
            w.WriteNumber("number", item.Number);
            if (position is { } p)
            {
                w.WriteNumber("position", p);
            }

            w.WriteString("client_id", item.ClientId);
        });
        output.Line($"{state,-8} {item.PromptId}  number {item.Number.ToString(CultureInfo.InvariantCulture)}  client {item.ClientId}");
    }

    private static void Entry(CliOutput output, HistoryEntry entry)
    {
        var status = entry.Status?.StatusStr ?? "unknown";
        output.Object(w =>
        {
            w.WriteString("type", "history_entry");
            w.WriteString("prompt_id", entry.PromptId);
            w.WriteString("status", status);
            w.WriteStartArray("files");
            foreach (var file in entry.Files)
            {
                w.WriteStartObject();
                w.WriteString("filename", file.Filename);
                w.WriteString("subfolder", file.Subfolder);
                w.WriteString("type", file.Type);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        output.Line($"{entry.PromptId}  {status}  {string.Join(", ", entry.Files.Select(f => string.IsNullOrEmpty(f.Subfolder) ? f.Filename : f.Subfolder + "/" + f.Filename))}");
    }
}
