using System.Text.Json.Nodes;
using ComfyUI.Client.Cli;
using ComfyUI.Client.Testing;
using ComfyUI.Client.Tests.Conversion;

namespace ComfyUI.Client.Tests.Cli;

/// <summary><c>comfyui convert</c> and <c>comfyui run</c> with UI workflows and images: output order, diagnostics on stderr, exit codes.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-convert-" + Guid.NewGuid().ToString("N"));

    public ConvertCommandTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ObjectInfo => Path.Combine(Fixture.Directory, "http", "object_info.json");

    private static string Example(string name) => Path.Combine(CorpusConversionTests.CorpusDirectory, name + ".workflow.json");

    private static string Image(string name) => Path.Combine(Fixture.Directory, "conversion", "images", name);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Conversions read the whole 1.5 MB /object_info: twice the usual deadline on a loaded machine.
    private static Task<CliResult> RunCli(params string[] args) => CliHarness.RunAsync(args, deadline: 2 * Waits.Deadline);

    [Fact]
    public async Task Convert_prints_the_prompt_with_nodes_in_ascending_id_order()
    {
        var (code, output, error) = await RunCli("convert", Example("sdxl__sdxl_refiner_prompt_example"), "--object-info", ObjectInfo);

        Assert.True(code == 0, error);
        var prompt = JsonNode.Parse(output)!.AsObject();
        var ids = prompt.Select(p => long.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        var expected = JsonNode.Parse(File.ReadAllText(Example("sdxl__sdxl_refiner_prompt_example").Replace(".workflow.json", ".prompt.json", StringComparison.Ordinal)))!.AsObject();
        Assert.Empty(PromptComparer.Differences(expected, prompt, RuleConversionTests.Schema.Value));
    }

    [Fact]
    public async Task Convert_reads_images_workflow_by_default_or_prompt_and_writes_to_a_file()
    {
        var target = Path.Combine(_folder, "prompt.json");
        var (code, output, error) = await RunCli("convert", Image("lora_multiple.png"), "--object-info", ObjectInfo, "-o", target);
        Assert.True(code == 0, error);
        Assert.Equal("", output);
        Assert.Contains("image workflow converted", error, StringComparison.Ordinal);
        var converted = JsonNode.Parse(File.ReadAllText(target))!.AsObject();

        var fromPrompt = await RunCli("convert", Image("lora_multiple.png"), "--from", "prompt");
        Assert.Equal(0, fromPrompt.ExitCode);
        var embedded = JsonNode.Parse((await ComfyImageMetadata.ReadAsync(Image("lora_multiple.png"), Ct)).Prompt!)!.AsObject();
        Assert.True(PromptComparer.JsonEquals(embedded, JsonNode.Parse(fromPrompt.Out)));
        Assert.Empty(PromptComparer.Differences(embedded, converted, RuleConversionTests.Schema.Value));
    }

    [Fact]
    public async Task Convert_exits_1_naming_the_node_when_the_workflow_is_not_convertible()
    {
        var path = Path.Combine(_folder, "bad.json");
        File.WriteAllText(path, RuleConversionTests.Ui(RuleConversionTests.UiNode(4, "NoSuchNode", title: "Mystery")));

        var (code, output, error) = await RunCli("convert", path, "--object-info", ObjectInfo);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("node 4 (NoSuchNode) \"Mystery\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_writes_warnings_to_stderr_and_still_succeeds()
    {
        var path = Path.Combine(_folder, "old.json");
        File.WriteAllText(path, RuleConversionTests.Ui(RuleConversionTests.UiNode(1, "EmptyImage", widgets: "[8, 8, 1]")));

        var plain = await RunCli("convert", path, "--object-info", ObjectInfo);
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("warning [widget-count] node 1 (EmptyImage)", plain.Error, StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(plain.Out)!["1"]!["inputs"]!["color"]);

        var filled = await RunCli("convert", path, "--object-info", ObjectInfo, "--fill-missing-widgets");
        Assert.Equal(0, (int)JsonNode.Parse(filled.Out)!["1"]!["inputs"]!["color"]!);
    }

    [Theory]
    [InlineData("missing-file")]
    [InlineData("both-sources")]
    [InlineData("bad-from")]
    [InlineData("bad-object-info")]
    public async Task Convert_usage_errors_exit_2(string kind)
    {
        var workflow = Example("sdxl__sdxl_refiner_prompt_example");
        var badInfo = Path.Combine(_folder, "info.json");
        File.WriteAllText(badInfo, "[]");
        string[] args = kind switch
        {
            "missing-file" => ["convert", Path.Combine(_folder, "nope.json"), "--object-info", ObjectInfo],
            "both-sources" => ["convert", workflow, "--object-info", ObjectInfo, "--server", "http://127.0.0.1:9"],
            "bad-from" => ["convert", workflow, "--from", "pixels"],
            _ => ["convert", workflow, "--object-info", badInfo],
        };

        var (code, _, error) = await RunCli(args);

        Assert.Equal(2, code);
        Assert.NotEqual("", error);
    }

    [Fact]
    public async Task Convert_fetches_object_info_from_the_server_and_run_accepts_a_ui_workflow()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var path = Path.Combine(_folder, "ui.json");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(Fixture.Directory, "conversion", "rules", "bypass_chain.workflow.json")));

        var converted = await RunCli("convert", path, "--server", server.BaseAddress.ToString());
        Assert.True(converted.ExitCode == 0, converted.Error);
        Assert.Equal("[\"1\",0]", JsonNode.Parse(converted.Out)!["4"]!["inputs"]!["images"]!.ToJsonString());

        var run = await RunCli("run", path, "--server", server.BaseAddress.ToString(), "--out", Path.Combine(_folder, "out"), "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("\"type\":\"result\"", run.Out, StringComparison.Ordinal);
        var saved = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "out"), "*.png", SearchOption.AllDirectories));
        // Like the editor, run sends the UI form along, so the image carries the workflow as well as the prompt.
        var metadata = await ComfyImageMetadata.ReadAsync(saved, Ct);
        Assert.NotNull(metadata.Prompt);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(path)), JsonNode.Parse(metadata.Workflow!)));
    }
}
