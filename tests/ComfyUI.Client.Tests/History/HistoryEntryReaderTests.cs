using System.Text;
using System.Text.Json;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.Tests.History;

/// <summary>The hand-written readers of the history entry and the <c>POST /prompt</c> answer read exactly what the source-generated context reads.</summary>
public sealed class HistoryEntryReaderTests
{
    public static TheoryData<string> HistoryCaptures => new(
        Directory.GetFiles(Path.Combine(Fixture.Directory, "http"), "history_*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(HistoryCaptures))]
    public void Every_captured_history_answer_reads_as_the_source_generated_context_reads_it(string name)
    {
        var body = Fixture.HttpBytes(name);
        var ids = JsonSerializer.Deserialize(body, ComfyJsonContext.Default.DictionaryStringHistoryEntry)!.Keys.ToList();
        ids.Add("not-in-the-answer");
        foreach (var id in ids)
        {
            AssertSameEntry(body, id);
        }
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"p": null}""")]
    [InlineData("""{"p": {}}""")]
    [InlineData("""{"q": {"x": [1, {"y": 2}]}, "p": {"outputs": {}, "meta": {}}}""")]
    [InlineData("""{"p": {"prompt": null, "outputs": null, "status": null, "meta": null}}""")]
    [InlineData("""{"p": {"prompt": [3, "p"], "extra": {"a": 1}, "outputs": {"9": null, "8": {"text": ["x"]}}}}""")]
    [InlineData("""{"p": {"prompt": [1, "p", {"1": {}}, {"client_id": "c"}, ["1", "2"], "extra"]}}""")]
    [InlineData("""{"p": {"status": {"status_str": "error", "completed": false, "messages": [["execution_error", {"node_id": "3"}], null, ["x"], [5, 6, 7]]}}}""")]
    [InlineData("""{"p": {"status": {"status_str": null, "messages": null}}}""")]
    [InlineData("""{"p": {"status": {"completed": true}}}""")]
    [InlineData("""{"p": {"meta": {"1": {"node_id": "1", "display_node": "1", "parent_node": null, "real_node_id": "1", "more": 1}, "2": null}}}""")]
    [InlineData("""{"p": {"outputs": {"1": {"images": []}}, "outputs": {"2": {"images": []}}}}""")]
    [InlineData("""{"p": {"meta": {}}, "p": {"outputs": {}}}""")]
    [InlineData("""{/* c */ "p": {"outputs": {"1": {"images": [],},},},}""")]
    [InlineData("""{"\u0070": {"outputs": {}}}""")]
    public void Edge_cases_read_as_the_source_generated_context_reads_them(string body) => AssertSameEntry(Encoding.UTF8.GetBytes(body), "p");

    [Theory]
    [InlineData("""null""")]
    [InlineData("""[]""")]
    [InlineData("""{"p": []}""")]
    [InlineData("""{"p": {"prompt": {}}}""")]
    [InlineData("""{"p": {"prompt": [1]}}""")]
    [InlineData("""{"p": {"outputs": []}}""")]
    [InlineData("""{"p": {"outputs": {"1": 5}}}""")]
    [InlineData("""{"p": {"status": []}}""")]
    [InlineData("""{"p": {"status": {"status_str": 1}}}""")]
    [InlineData("""{"p": {"status": {"completed": "yes"}}}""")]
    [InlineData("""{"p": {"status": {"messages": [{}]}}}""")]
    [InlineData("""{"p": {"status": {"messages": [[]]}}}""")]
    [InlineData("""{"p": {"meta": {"1": {"node_id": 1}}}}""")]
    [InlineData("""{"p": {"meta": {"1": []}}}""")]
    [InlineData("""{"p": {""")]
    public void Malformed_history_answers_are_rejected_like_the_source_generated_context_rejects_them(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.ThrowsAny<JsonException>(() => HistoryEntryReader.ReadEntry(bytes, "p"));
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize(bytes, ComfyJsonContext.Default.DictionaryStringHistoryEntry)!["p"]);
    }

    [Fact]
    public void A_history_entry_read_by_hand_keeps_the_recorded_messages_and_the_prompt_readable()
    {
        var entry = HistoryEntryReader.ReadEntry(Fixture.HttpBytes("history_entry_execution_error.json"), PromptIdOf("history_entry_execution_error.json"))!;
        Assert.Equal("error", entry.Status!.StatusStr);
        Assert.Equal(JsonValueKind.Object, entry.Status.FindMessage("execution_error")!.Value.ValueKind);
        Assert.Equal(JsonValueKind.Object, entry.Prompt.Prompt.ValueKind);
        Assert.False(string.IsNullOrEmpty(entry.Prompt.ClientId));
    }

    [Theory]
    [MemberData(nameof(HistoryCaptures))]
    public void Recorded_messages_read_from_the_bytes_equal_the_parsed_ones(string name)
    {
        // A run reads execution_cached (and the error or interrupt) without parsing the message list: the same data as the parsed list gives.
        var body = Fixture.HttpBytes(name);
        var generated = JsonSerializer.Deserialize(body, ComfyJsonContext.Default.DictionaryStringHistoryEntry)!;
        string[] events = ["execution_start", "execution_cached", "execution_success", "execution_error", "execution_interrupted", "not_recorded"];
        foreach (var (id, expected) in generated)
        {
            var lazy = HistoryEntryReader.ReadEntry(body, id)!;
            Assert.NotNull(lazy.Status!.LazyMessages);
            foreach (var eventName in events)
            {
                var fromBytes = lazy.Status.TryReadRecorded(eventName, RawText, out var rawFromBytes);
                var fromParsed = expected.Status!.TryReadRecorded(eventName, RawText, out var rawFromParsed);
                Assert.Equal(fromParsed, fromBytes);
                Assert.Equal(rawFromParsed, rawFromBytes);
                Assert.Equal(expected.Status.FindMessage(eventName)?.GetRawText(), lazy.Status.FindMessage(eventName)?.GetRawText());
            }
        }

        static string RawText(ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader).GetRawText();
    }

    [Fact]
    public void The_prompt_and_messages_of_an_entry_are_parsed_once_and_shared_between_threads()
    {
        var name = "history_entry_execution_error.json";
        var entry = HistoryEntryReader.ReadEntry(Fixture.HttpBytes(name), PromptIdOf(name))!;

        var seen = new System.Collections.Concurrent.ConcurrentBag<(JsonElement Prompt, IReadOnlyList<HistoryMessage> Messages)>();
        Parallel.For(0, 16, _ => seen.Add((entry.Prompt.Prompt, entry.Status!.Messages)));

        Assert.Single(seen.Select(s => s.Messages).Distinct());
        Assert.Single(seen.Select(s => s.Prompt.GetRawText()).Distinct());
        Assert.Same(entry.Status!.Messages, entry.Status.Messages);
        Assert.Equal(entry.Prompt.Prompt.GetRawText(), entry.Prompt.Prompt.GetRawText());
    }

    [Theory]
    [InlineData("""{"prompt_id": "218f7b80-1db8-42aa-9231-4ccf675f014d", "number": 12, "node_errors": {}}""")]
    [InlineData("""{"prompt_id": "p", "number": "-3.5", "node_errors": {"9": {"errors": [{"type": "x"}], "class_type": "SaveImage"}}, "extra": []}""")]
    [InlineData("""{"number": "NaN"}""")]
    [InlineData("""{"prompt_id": null, "number": 1, "node_errors": null}""")]
    [InlineData("""{}""")]
    public void Prompt_answers_read_as_the_source_generated_context_reads_them(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var expected = JsonSerializer.Deserialize(bytes, ComfyJsonContext.Default.QueuePromptResponse)!;
        var actual = HistoryEntryReader.ReadPromptResponse(bytes);
        Assert.Equal(
            WithoutDefaults(JsonSerializer.Serialize(expected, ComfyJsonContext.Default.QueuePromptResponse)),
            WithoutDefaults(JsonSerializer.Serialize(actual, ComfyJsonContext.Default.QueuePromptResponse)));
    }

    [Theory]
    [InlineData("""null""")]
    [InlineData("""{"number": null}""")]
    [InlineData("""{"number": "soon"}""")]
    [InlineData("""{"prompt_id": 5}""")]
    [InlineData("""{"node_errors": []}""")]
    public void Malformed_prompt_answers_are_rejected_like_the_source_generated_context_rejects_them(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.ThrowsAny<JsonException>(() => HistoryEntryReader.ReadPromptResponse(bytes));
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize(bytes, ComfyJsonContext.Default.QueuePromptResponse) ?? throw new JsonException("null"));
    }

    private static void AssertSameEntry(byte[] body, string promptId)
    {
        var all = JsonSerializer.Deserialize(body, ComfyJsonContext.Default.DictionaryStringHistoryEntry)!;
        var expected = new Dictionary<string, HistoryEntry>();
        if (all.TryGetValue(promptId, out var entry))
        {
            expected[promptId] = entry;
        }

        var actual = new Dictionary<string, HistoryEntry>();
        if (HistoryEntryReader.ReadEntry(body, promptId) is { } read)
        {
            actual[promptId] = read;
        }

        // A JSON null entry reads as absent by hand, as GetAsync always answered for it.
        expected = expected.Where(pair => pair.Value is not null).ToDictionary();
        Assert.Equal(
            WithoutDefaults(JsonSerializer.Serialize(expected, ComfyJsonContext.Default.DictionaryStringHistoryEntry)),
            WithoutDefaults(JsonSerializer.Serialize(actual, ComfyJsonContext.Default.DictionaryStringHistoryEntry)));
    }

    [Fact]
    public void Missing_members_read_as_empty_not_null()
    {
        // The source-generated init-only path sets absent members to null; the readers keep the models' non-null defaults.
        var entry = HistoryEntryReader.ReadEntry("""{"p": {"status": {}}}"""u8, "p")!;
        Assert.Empty(entry.Outputs);
        Assert.Empty(entry.Meta);
        Assert.Equal("", entry.Prompt.PromptId);
        Assert.Empty(entry.Status!.Messages);
        var answer = HistoryEntryReader.ReadPromptResponse("""{"number": 3}"""u8);
        Assert.Equal("", answer.PromptId);
        Assert.Empty(answer.NodeErrors);
    }

    /// <summary>Drops members that hold a model's default (absent members read as null through the generated path, as the default by hand).</summary>
    private static string WithoutDefaults(string json)
    {
        string[] defaults = ["\"prompt\":[0,\"\",{},{},[]]", "\"outputs\":{}", "\"meta\":{}", "\"messages\":[]", "\"node_errors\":{}", "\"prompt_id\":\"\""];
        var node = System.Text.Json.Nodes.JsonNode.Parse(json);
        Strip(node);
        return node?.ToJsonString() ?? "null";

        void Strip(System.Text.Json.Nodes.JsonNode? current)
        {
            if (current is System.Text.Json.Nodes.JsonObject obj)
            {
                foreach (var (name, value) in obj.ToArray())
                {
                    if (defaults.Contains($"\"{name}\":{value?.ToJsonString()}"))
                    {
                        obj.Remove(name);
                    }
                    else
                    {
                        Strip(value);
                    }
                }
            }
        }
    }

    private static string PromptIdOf(string name) =>
        JsonSerializer.Deserialize(Fixture.HttpBytes(name), ComfyJsonContext.Default.DictionaryStringHistoryEntry)!.Keys.Single();
}
