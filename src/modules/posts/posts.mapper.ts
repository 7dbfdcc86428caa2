import { toPhotoDto } from '../photos/photos.mapper';
import type { MediaUrls } from '../photos/storage/media-storage';
import { toUserPublicDto } from '../users/users.mapper';
import type { PostDto, PostSummaryDto } from './dto/post.dto';
import type { PostSummaryRecord } from './post-summary.repository';
import type { PostRecord } from './posts.repository';

/** `media` turns the stored photos' keys into URLs. */
export function toPostSummaryDto(post: PostSummaryRecord, media: MediaUrls): PostSummaryDto {
  const cover = post.photos[0];
  return {
    id: post.id,
    title: post.title,
    price: Number(post.price),
    images: post.images,
    address: post.address,
    city: post.city,
    bedroom: post.bedroom,
    bathroom: post.bathroom,
    latitude: post.latitude,
    longitude: post.longitude,
    type: post.type,
    property: post.property,
    accountId: post.accountId,
    author: toUserPublicDto(post.author),
    coverPhotoUrl: cover ? media.urlOf(cover.thumbKey) : null,
    ...(post.saved === undefined ? {} : { saved: post.saved }),
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
  };
}

export function toPostDto(post: PostRecord, media: MediaUrls): PostDto {
  const { detail } = post;
  return {
    ...toPostSummaryDto(post, media),
    photos: post.photos.map((photo) => toPhotoDto(photo, media)),
    detail: detail
      ? {
          desc: detail.desc,
          utilities: detail.utilities,
          pet: detail.pet,
          income: detail.income,
          size: detail.size,
          school: detail.school,
          bus: detail.bus,
          restaurant: detail.restaurant,
        }
      : null,
    ...(post.hidden ? { hidden: true as const } : {}),
  };
}
