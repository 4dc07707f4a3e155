using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>The small routes: experiment/models, i18n, subgraphs, templates, node replacements, logs, assets (disabled).</summary>
internal static class MiscRoutes
{
    private static readonly string[] ModelKinds = ["checkpoints", "loras", "vae", "text_encoders", "diffusion_models", "clip_vision", "style_models", "embeddings", "diffusers", "vae_approx", "controlnet", "gligen", "upscale_models", "latent_upscale_models", "hypernetworks", "photomaker", "classifiers", "model_patches", "audio_encoders"];

    public static Task ExperimentModels(HttpContext h, ServerContext context)
    {
        var list = new JsonArray();
        foreach (var kind in ModelKinds)
        {
            list.Add(new JsonObject
            {
                ["name"] = kind,
                ["folders"] = Json.StringArray([Path.Combine(context.Files.Root, "models", kind)]),
                ["extensions"] = Json.StringArray([".bin", ".ckpt", ".pkl", ".pt", ".pt2", ".pth", ".safetensors", ".sft"]),
            });
        }

        return Http.Json(h, list);
    }

    public static Task ExperimentModelFolder(HttpContext h) =>
        ModelKinds.Contains((string)h.Request.RouteValues["folder"]!) ? Http.Json(h, new JsonArray()) : Http.Status(h, 404);

    public static Task Logs(HttpContext h) => Http.Json(h, JsonValue.Create(string.Empty));

    public static Task LogsRaw(HttpContext h) => Http.Json(h, new JsonObject { ["entries"] = new JsonArray(), ["size"] = new JsonObject { ["cols"] = 80, ["rows"] = 24 } });

    public static Task AssetsDisabled(HttpContext h) => Http.Json(h, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = "SERVICE_DISABLED",
            ["message"] = "Assets system is disabled. Start the server with --enable-assets to use this feature.",
            ["details"] = new JsonObject(),
        },
    }, 503);
}
